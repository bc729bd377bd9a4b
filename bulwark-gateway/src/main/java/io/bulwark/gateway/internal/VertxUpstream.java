package io.bulwark.gateway.internal;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An {@link UpstreamExchange} over the Vert.x HTTP client: used for HTTP/2 (h2c) clusters and when
 * an attempt starts off the event loops; plain HTTP/1.1 attempts on an event loop use {@link
 * Http1Pool}.
 */
final class VertxUpstream implements UpstreamExchange {
  private final HttpClientRequest req;

  VertxUpstream(HttpClientRequest req) {
    this.req = req;
  }

  @Override
  public MultiMap headers() {
    return req.headers();
  }

  @Override
  public boolean http2() {
    return req.version() == HttpVersion.HTTP_2;
  }

  @Override
  public void start(Handler<UpstreamAnswer> answered, Handler<Throwable> failed) {
    req.response()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                failed.handle(ar.cause());
              } else {
                answered.handle(new Answer(ar.result()));
              }
            });
  }

  @Override
  public void chunked() {
    req.setChunked(true);
  }

  @Override
  public void write(Buffer chunk) {
    req.write(chunk);
  }

  @Override
  public boolean writeQueueFull() {
    return req.writeQueueFull();
  }

  @Override
  public void drainHandler(Runnable drained) {
    req.drainHandler(v -> drained.run());
  }

  @Override
  public void end() {
    req.end();
  }

  @Override
  public void reset() {
    req.reset();
  }

  /** The Vert.x response as an {@link UpstreamAnswer}. */
  private record Answer(HttpClientResponse resp) implements UpstreamAnswer {
    @Override
    public int statusCode() {
      return resp.statusCode();
    }

    @Override
    public @Nullable String statusMessage() {
      return resp.statusMessage();
    }

    @Override
    public Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>>
        headerEntries() {
      return resp.headers();
    }

    @Override
    public @Nullable String header(CharSequence name) {
      return resp.getHeader(name);
    }

    @Override
    public void handler(Handler<Buffer> chunks) {
      resp.handler(chunks);
    }

    @Override
    public void endHandler(Runnable ended) {
      resp.endHandler(v -> ended.run());
    }

    @Override
    public void exceptionHandler(Handler<Throwable> failed) {
      resp.exceptionHandler(failed);
    }

    @Override
    public void pause() {
      resp.pause();
    }

    @Override
    public void resume() {
      resp.resume();
    }

    @Override
    public void reset() {
      resp.request().reset();
    }
  }
}
