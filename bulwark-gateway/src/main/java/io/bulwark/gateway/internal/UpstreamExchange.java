package io.bulwark.gateway.internal;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * One attempt's request to an upstream, as the data path drives it: headers are filled, then {@link
 * #start} registers who hears the answer, then the body is streamed ({@link #write} while {@link
 * #writeQueueFull} is false, {@link #drainHandler} when it is) and {@link #end}ed. Two
 * implementations: {@link Http1Pool}'s own HTTP/1.1 connections (the common case) and the Vert.x
 * HTTP client ({@link VertxUpstream}: HTTP/2 clusters, health probes, callers off the event loops).
 * Used on one event loop only; not thread-safe.
 */
interface UpstreamExchange {
  /** The request headers to send; filled before the first write or end. */
  MultiMap headers();

  /** Whether the request goes out as an HTTP/2 stream (no chunked encoding). */
  boolean http2();

  /**
   * Registers the answer's handlers: exactly one of them is called once, {@code failed} if no
   * answer head arrives (connection lost, reset, refused header).
   */
  void start(Handler<UpstreamAnswer> answered, Handler<Throwable> failed);

  /** Sends the body chunked (HTTP/1.1) since its length is unknown. */
  void chunked();

  void write(Buffer chunk);

  boolean writeQueueFull();

  /** Called once when the write queue has room again. */
  void drainHandler(Runnable drained);

  /** Ends the request (sends the head first if nothing was written yet). */
  void end();

  /** Abandons the exchange: the connection is closed (HTTP/1.1) or the stream reset (HTTP/2). */
  void reset();
}
