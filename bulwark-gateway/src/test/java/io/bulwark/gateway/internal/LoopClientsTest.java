package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopClientsTest {
  /** What one request saw: the upstream's view of the client port, the requesting thread. */
  record Hop(int clientPort, Thread requester, Thread answeredOn) {}

  Vertx vertx;
  HttpServer upstream;
  LoopClients clients;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));
    upstream =
        vertx
            .createHttpServer()
            .requestHandler(r -> r.response().end(Integer.toString(r.remoteAddress().port())))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    clients =
        new LoopClients(
            vertx,
            new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(4));
  }

  @AfterEach
  void stop() throws Exception {
    clients.shutdown(1, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void eachEventLoopKeepsItsOwnConnectionsSoAnIdleOneIsNeverLentToAnotherLoop() throws Exception {
    Context a = ListenerLoops.next(vertx);
    Context b = ListenerLoops.next(vertx);
    List<Hop> fromA = new ArrayList<>();
    List<Hop> fromB = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // strictly one at a time: the other loop's connection is idle
      fromA.add(hop(a));
      fromB.add(hop(b));
    }
    assertThat(fromA.getFirst().requester()).isNotSameAs(fromB.getFirst().requester());
    // a single shared pool lends the most recently used idle connection, whatever its loop: B's
    // requests would then ride A's connection (one client port for all eight requests)
    assertThat(ports(fromA)).hasSize(1);
    assertThat(ports(fromB)).hasSize(1).doesNotContainAnyElementsOf(ports(fromA));
    for (Hop h : fromA) {
      assertThat(h.answeredOn()).isSameAs(h.requester());
    }
    for (Hop h : fromB) {
      assertThat(h.answeredOn()).isSameAs(h.requester());
    }
  }

  @Test
  void aCallerOffTheEventLoopsUsesTheSharedPool() throws Exception {
    // a worker context: off the event loops, yet a context (a Vert.x client's exchange must run on
    // one, or its answer can be lost), as every caller of the gateway's off-loop path is
    Context worker = ((io.vertx.core.internal.VertxInternal) vertx).createWorkerContext();
    CompletableFuture<String> done = new CompletableFuture<>();
    worker.runOnContext(
        v -> {
          assertThat(Context.isOnEventLoopThread()).isFalse();
          clients
              .request(options())
              .compose(HttpClientRequest::send)
              .compose(r -> r.body())
              .onComplete(
                  ar -> {
                    if (ar.succeeded()) {
                      done.complete(ar.result().toString());
                    } else {
                      done.completeExceptionally(ar.cause());
                    }
                  });
        });
    assertThat(Integer.parseInt(done.get(10, TimeUnit.SECONDS))).isPositive();
  }

  private Hop hop(Context on) throws Exception {
    CompletableFuture<Hop> done = new CompletableFuture<>();
    on.runOnContext(
        v -> {
          Thread requester = Thread.currentThread();
          Future<HttpClientRequest> f = clients.request(options());
          f.compose(HttpClientRequest::send)
              .compose(r -> r.body())
              .onComplete(
                  ar -> {
                    if (ar.failed()) {
                      done.completeExceptionally(ar.cause());
                    } else {
                      done.complete(
                          new Hop(
                              Integer.parseInt(ar.result().toString()),
                              requester,
                              Thread.currentThread()));
                    }
                  });
        });
    return done.get(10, TimeUnit.SECONDS);
  }

  private RequestOptions options() {
    return new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost("127.0.0.1")
        .setPort(upstream.actualPort())
        .setURI("/");
  }

  private static Set<Integer> ports(List<Hop> hops) {
    HashSet<Integer> out = new HashSet<>();
    hops.forEach(h -> out.add(h.clientPort()));
    return out;
  }
}
