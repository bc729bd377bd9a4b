package io.bulwark.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real upstream on loopback for gateway tests: answers {@code /echo} by streaming the request
 * body back, {@code /status/N} with status N, {@code /redirect} with a 302, {@code /hang} never;
 * records every request's headers and protocol version.
 */
final class Upstream {
  record Seen(String method, String uri, MultiMap headers, HttpVersion version) {}

  final HttpServer server;
  final AtomicInteger hits = new AtomicInteger();
  final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  volatile int status = 200;

  Upstream(Vertx vertx, String name) throws Exception {
    this(vertx, name, r -> {}, false, 0);
  }

  /** An upstream that answers nothing itself: {@code held} gets every request to answer. */
  Upstream(Vertx vertx, String name, Consumer<HttpServerRequest> held) throws Exception {
    this(vertx, name, held, true, 0);
  }

  /**
   * Like {@link #Upstream(Vertx, String, Consumer)}, with fixed socket buffers of {@code
   * socketBuffer} bytes each way (no kernel autotuning), so the bytes its sockets can hold are
   * known.
   */
  Upstream(Vertx vertx, String name, Consumer<HttpServerRequest> held, int socketBuffer)
      throws Exception {
    this(vertx, name, held, true, socketBuffer);
  }

  private Upstream(
      Vertx vertx, String name, Consumer<HttpServerRequest> extra, boolean holds, int socketBuffer)
      throws Exception {
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (socketBuffer > 0) {
      options.setReceiveBufferSize(socketBuffer).setSendBufferSize(socketBuffer);
    }
    this.server =
        vertx
            .createHttpServer(options)
            .requestHandler(
                req -> {
                  hits.incrementAndGet();
                  seen.add(
                      new Seen(
                          req.method().name(),
                          req.uri(),
                          MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                          req.version()));
                  extra.accept(req);
                  if (holds) {
                    return; // the test answers it
                  }
                  String path = req.path();
                  if (path.startsWith("/echo")) {
                    req.response().putHeader("x-upstream", name);
                    String cl = req.getHeader("content-length");
                    if (cl != null) {
                      req.response().putHeader("content-length", cl);
                    } else {
                      req.response().setChunked(true);
                    }
                    req.pipeTo(req.response());
                  } else if (path.startsWith("/status/")) {
                    req.response().setStatusCode(Integer.parseInt(path.substring(8))).end(name);
                  } else if (path.equals("/redirect")) {
                    req.response()
                        .setStatusCode(302)
                        .putHeader("location", "http://elsewhere.test/x")
                        .end();
                  } else if (path.equals("/hang")) {
                    // never answers
                  } else {
                    req.response()
                        .setStatusCode(status)
                        .putHeader("x-upstream", name)
                        .putHeader("connection", "x-private")
                        .putHeader("x-private", "hop-only")
                        .putHeader("keep-alive", "timeout=5")
                        .end(name + " " + req.uri());
                  }
                })
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  int port() {
    return server.actualPort();
  }

  String endpoint() {
    return "127.0.0.1:" + port();
  }

  void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
