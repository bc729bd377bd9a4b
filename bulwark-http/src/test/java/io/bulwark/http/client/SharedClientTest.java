package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.lb.Balancing;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One client shared by many virtual threads, its exchanges spread over several event loops: every
 * call gets its own answer, the pool size still bounds the connections per endpoint, and discovery
 * updates while calls are in flight lose none of them.
 */
class SharedClientTest {
  private final Loopback net = new Loopback();
  private final Vertx serverVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    net.close();
    serverVertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void sixtyFourVirtualThreadsGetEveryAnswerOverAtMostPoolSizeConnections() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    int port = rawServer(connections);
    HttpClients clients =
        net.urlClients(
            c ->
                c.client(
                        "svc",
                        "http://127.0.0.1:" + port,
                        ClientConfig.builder("svc")
                            .poolSize(4)
                            .timeout(Duration.ofSeconds(10))
                            .build())
                    // no retry: a lost answer would fail the call instead of being retried
                    .decorators((n, x) -> CallDecorator.none()));
    ServiceClient client = clients.client("svc");
    List<Future<Integer>> workers = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < 64; w++) {
        int worker = w;
        workers.add(
            callers.submit(
                () -> {
                  for (int i = 0; i < 60; i++) {
                    String n = worker + "-" + i;
                    ClientResponse r = client.get("/echo/" + n);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.bodyAsString()).isEqualTo(n);
                  }
                  return 60;
                }));
      }
      int answered = 0;
      for (Future<Integer> f : workers) {
        answered += f.get(120, TimeUnit.SECONDS);
      }
      assertThat(answered).isEqualTo(64 * 60);
    }
    assertThat(connections.get()).isBetween(1, 4);
  }

  @Test
  void discoveryUpdatesMidFlightLoseNoCall() throws Exception {
    List<BulwarkServer> servers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int id = i;
      servers.add(net.server(s -> s.get("/who", r -> Response.json("s" + id))));
    }
    net.publish("svc", servers.get(0), servers.get(1), servers.get(2));
    for (Balancing balancing :
        List.of(Balancing.PEAK_EWMA, Balancing.ROUND_ROBIN, Balancing.MAGLEV)) {
      HttpClients clients =
          net.clients(
              c ->
                  c.client(
                          "svc-" + balancing,
                          ClientConfig.builder("svc-" + balancing)
                              .service("svc")
                              .balancing(balancing)
                              .timeout(Duration.ofSeconds(10))
                              .build())
                      .decorators((n, x) -> CallDecorator.none()));
      ServiceClient client = clients.client("svc-" + balancing);
      AtomicBoolean done = new AtomicBoolean();
      Set<String> seen = ConcurrentHashMap.newKeySet();
      CountDownLatch started = new CountDownLatch(16);
      List<Future<Integer>> workers = new ArrayList<>();
      try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int w = 0; w < 16; w++) {
          workers.add(
              callers.submit(
                  () -> {
                    int calls = 0;
                    started.countDown();
                    while (!done.get() || calls == 0) {
                      ClientRequest request =
                          ClientRequest.get("/who").withHashKey("k" + (calls % 7));
                      ClientResponse r = client.send(request);
                      assertThat(r.status()).isEqualTo(200);
                      seen.add(r.bodyAsString());
                      calls++;
                    }
                    return calls;
                  }));
        }
        started.await();
        // every subset of one or more endpoints, in turn, while the callers call
        for (int round = 0; round < 3; round++) {
          for (int mask = 1; mask < 8; mask++) {
            List<Endpoint> eps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
              if ((mask & (1 << i)) != 0) {
                eps.add(Loopback.endpoint(servers.get(i)));
              }
            }
            net.discovery.update("svc", eps);
            client.get("/who"); // at least one call sees each snapshot
          }
        }
        net.discovery.update("svc", List.of(Loopback.endpoint(servers.get(1))));
        done.set(true);
        for (Future<Integer> f : workers) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
        }
      }
      assertThat(seen).isSubsetOf("\"s0\"", "\"s1\"", "\"s2\"");
      // after the last update only the one endpoint left is called
      for (int i = 0; i < 20; i++) {
        assertThat(client.get("/who").bodyAsString()).isEqualTo("\"s1\"");
      }
      net.publish("svc", servers.get(0), servers.get(1), servers.get(2));
    }
  }

  /** A raw Vert.x server echoing the last path segment, counting the connections it accepts. */
  private int rawServer(AtomicInteger connections) throws Exception {
    int port = -1;
    for (int i = 0; i < 2; i++) {
      HttpServer server =
          serverVertx
              .createHttpServer()
              .connectionHandler(c -> connections.incrementAndGet())
              .requestHandler(
                  req -> {
                    String uri = req.uri();
                    req.response().end(uri.substring(uri.lastIndexOf('/') + 1));
                  });
      port =
          server
              .listen(-4711, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS)
              .actualPort();
    }
    return port;
  }
}
