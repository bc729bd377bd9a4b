package io.bulwark.gateway.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One request and its answer on an {@link Http1Connection}: both the {@link UpstreamExchange} and,
 * once the head arrived, its {@link UpstreamAnswer}. The request head is written lazily (with the
 * first body chunk, or with the end as one full request for a bodiless one). Once finished or
 * abandoned it lets go of its connection, so a late {@link #reset} cannot touch the connection's
 * next exchange. Runs on the connection's event loop only.
 */
final class Http1Exchange implements UpstreamExchange, UpstreamAnswer {
  private static final Handler<Buffer> NO_CHUNKS = b -> {};

  private @Nullable Http1Connection conn;
  private final HttpMethod method;
  private final String uri;
  private final String authority;
  // the upstream request head, written out by the encoder as it is (no copy into another map)
  private final HeaderList headers = new HeaderList();
  private @Nullable Handler<UpstreamAnswer> answered;
  private @Nullable Handler<Throwable> failed;
  private Handler<Buffer> chunks = NO_CHUNKS;
  private @Nullable Runnable ended;
  private @Nullable Handler<Throwable> broken;
  private @Nullable Runnable drain;
  private @Nullable HttpResponse response;
  private boolean headSent;
  private boolean requestEnded;
  private boolean over;
  private boolean lastChunk;

  private final boolean first;

  Http1Exchange(
      Http1Connection conn, HttpMethod method, String uri, String authority, boolean first) {
    this.conn = conn;
    this.first = first;
    this.method = method;
    this.uri = uri;
    this.authority = authority;
  }

  /** Whether this is its connection's first exchange (the connection was opened for it). */
  boolean firstOnConnection() {
    return first;
  }

  // --- the request

  @Override
  public HeaderList headers() {
    return headers;
  }

  @Override
  public boolean http2() {
    return false;
  }

  @Override
  public void start(Handler<UpstreamAnswer> answered, Handler<Throwable> failed) {
    this.answered = answered;
    this.failed = failed;
  }

  @Override
  public void chunked() {
    headers.set("transfer-encoding", "chunked");
  }

  @Override
  public void write(Buffer chunk) {
    Http1Connection c = conn;
    if (c == null || requestEnded) {
      return;
    }
    if (!headSent) {
      headSent = true;
      c.send(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, nettyHeaders()), false);
    }
    ByteBuf b = ((BufferInternal) chunk).getByteBuf();
    c.send(new DefaultHttpContent(b), true);
  }

  @Override
  public boolean writeQueueFull() {
    Http1Connection c = conn;
    return c != null && !c.channel().isWritable();
  }

  @Override
  public void drainHandler(Runnable drained) {
    this.drain = drained;
  }

  void drained() {
    Runnable d = drain;
    if (d != null) {
      drain = null;
      d.run();
    }
  }

  @Override
  public void end() {
    Http1Connection c = conn;
    if (c == null || requestEnded) {
      return;
    }
    requestEnded = true;
    if (!headSent) {
      headSent = true;
      c.send(
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1,
              method,
              uri,
              Unpooled.EMPTY_BUFFER,
              nettyHeaders(),
              EmptyHttpHeaders.INSTANCE),
          true);
    } else {
      c.send(LastHttpContent.EMPTY_LAST_CONTENT, true);
    }
  }

  /** Gives the connection back without having used it (the attempt ended while it waited). */
  void unused() {
    if (!headSent) {
      finish(true);
    }
  }

  private HttpHeaders nettyHeaders() {
    headers.set(HttpHeaderNames.HOST, authority);
    return headers;
  }

  @Override
  public void reset() {
    if (over) {
      return;
    }
    over = true;
    Http1Connection c = conn;
    conn = null;
    if (c != null) {
      c.abandon(this);
    }
  }

  // --- the answer, from the connection

  void head(HttpResponse r) {
    if (over || response != null) {
      return;
    }
    response = r;
    Handler<UpstreamAnswer> a = answered;
    if (a == null) {
      return;
    }
    try {
      a.handle(this);
    } catch (RuntimeException e) {
      // a header the client side refuses: the exchange fails instead of hanging
      Handler<Throwable> then = broken != null ? broken : failed;
      reset();
      if (then != null) {
        then.handle(e);
      }
    }
  }

  /** A body chunk; {@code last} if it came with the answer's end ({@link #answerEnded} next). */
  void chunk(ByteBuf content, boolean last) {
    if (over || response == null) {
      return;
    }
    lastChunk = last;
    try {
      chunks.handle(BufferInternal.safeBuffer(content.retain()));
    } finally {
      lastChunk = false;
    }
  }

  void answerEnded() {
    if (over) {
      return;
    }
    // an answer that ends before the request body was sent whole: the connection is not reusable
    finish(requestEnded);
  }

  private void finish(boolean reusable) {
    if (over) {
      return;
    }
    over = true;
    Http1Connection c = conn;
    conn = null;
    if (c != null) {
      c.finished(this, reusable);
    }
    Runnable e = ended;
    if (e != null) {
      e.run();
    }
  }

  void connectionLost(Throwable cause) {
    if (over) {
      return;
    }
    over = true;
    conn = null;
    if (response == null) {
      Handler<Throwable> f = failed;
      if (f != null) {
        f.handle(cause);
      }
      return;
    }
    Handler<Throwable> b = broken;
    if (b != null) {
      b.handle(cause);
    }
  }

  // --- UpstreamAnswer

  @Override
  public int statusCode() {
    HttpResponse r = response;
    return r == null ? 0 : r.status().code();
  }

  @Override
  public @Nullable String statusMessage() {
    HttpResponse r = response;
    return r == null ? null : r.status().reasonPhrase();
  }

  @Override
  public Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>>
      headerEntries() {
    HttpResponse r = response;
    // the decoder's own list (HeaderList, see Http1Connection): names and values as they came
    return r == null ? EmptyHttpHeaders.INSTANCE : r.headers();
  }

  @Override
  public @Nullable String header(CharSequence name) {
    HttpResponse r = response;
    return r == null ? null : r.headers().get(name);
  }

  @Override
  public void handler(Handler<Buffer> chunks) {
    this.chunks = chunks;
  }

  @Override
  public boolean lastChunk() {
    return lastChunk;
  }

  @Override
  public void endHandler(Runnable ended) {
    this.ended = ended;
  }

  @Override
  public void exceptionHandler(Handler<Throwable> failed) {
    this.broken = failed;
  }

  @Override
  public void pause() {
    Http1Connection c = conn;
    if (c != null) {
      c.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void resume() {
    Http1Connection c = conn;
    if (c != null && !c.channel().config().isAutoRead()) {
      c.channel().config().setAutoRead(true);
    }
  }
}
