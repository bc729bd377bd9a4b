package io.bulwark.gateway.internal;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An upstream's answer to one {@link UpstreamExchange}: its head, then a body streamed through
 * {@link #handler} until {@link #endHandler} (or {@link #exceptionHandler} if the answer breaks
 * off). {@link #pause} stops reading from the upstream (chunks already read may still arrive), so a
 * slow client slows its upstream. Used on one event loop only; not thread-safe.
 */
interface UpstreamAnswer {
  int statusCode();

  /** The reason phrase as the upstream sent it (HTTP/1.1), or null. */
  @Nullable String statusMessage();

  /**
   * Every header as received, names as the upstream spelled them (as the decoder's own character
   * sequences: no string per entry).
   */
  Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> headerEntries();

  /** The first value of a header (name case-insensitive), or null. */
  @Nullable String header(CharSequence name);

  void handler(Handler<Buffer> chunks);

  /**
   * True only while {@link #handler} runs with the answer's last chunk, which the end follows at
   * once (no read, no other chunk in between): the caller may write that chunk together with the
   * end. False when unknown; the end handler still runs as usual.
   */
  default boolean lastChunk() {
    return false;
  }

  void endHandler(Runnable ended);

  void exceptionHandler(Handler<Throwable> failed);

  void pause();

  void resume();

  /** Abandons the answer: its connection is closed (HTTP/1.1) or its stream reset (HTTP/2). */
  void reset();
}
