package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayReloadTest {
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  static String config(String cluster, Upstream a, Upstream b, Upstream held) {
    return """
        listeners:
          public: {port: 0}
        clusters:
          a: {endpoints: [%s], egress-allow: [loopback]}
          b: {endpoints: [%s], egress-allow: [loopback]}
          held: {endpoints: [%s], egress-allow: [loopback]}
        routes:
          held:
            match: {path-prefix: /held}
            cluster: held
            timeout: 5m
          main:
            match: {path-prefix: /}
            cluster: %s
        admin: {enabled: false}
        """
        .formatted(a.endpoint(), b.endpoint(), held.endpoint(), cluster);
  }

  @Test
  void reloadUnderLoadLosesNoRequestAndAnInvalidFileKeepsTheOldConfig(@TempDir Path dir)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    LinkedBlockingQueue<HttpServerRequest> heldRequests = new LinkedBlockingQueue<>();
    Upstream a = new Upstream(vertx, "a");
    Upstream b = new Upstream(vertx, "b");
    Upstream held = new Upstream(vertx, "held", heldRequests::add);
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, config("a", a, b, held));
    List<ConfigException> rejected = new CopyOnWriteArrayList<>();
    try (Gateway gateway =
        Gateway.builder(file).vertx(vertx).onReloadError(rejected::add).start()) {
      URI base = URI.create("http://127.0.0.1:" + gateway.port("public"));

      // a request in flight on the old snapshot: the upstream holds it until released
      CompletableFuture<HttpResponse<String>> inFlight =
          CLIENT.sendAsync(
              HttpRequest.newBuilder(base.resolve("/held/1")).build(),
              HttpResponse.BodyHandlers.ofString());
      HttpServerRequest heldRequest = heldRequests.poll(10, TimeUnit.SECONDS);
      assertThat(heldRequest).as("the held request reached its upstream").isNotNull();

      Map<String, AtomicInteger> byUpstream = new ConcurrentHashMap<>();
      AtomicInteger failures = new AtomicInteger();
      java.util.concurrent.Semaphore progress = new java.util.concurrent.Semaphore(0);
      int clients = 4;
      int perClient = 150;
      ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
      List<Future<Object>> load =
          java.util.stream.IntStream.range(0, clients)
              .mapToObj(
                  c ->
                      pool.submit(
                          () -> {
                            for (int i = 0; i < perClient; i++) {
                              try {
                                HttpResponse<String> r =
                                    CLIENT.send(
                                        HttpRequest.newBuilder(base.resolve("/x")).build(),
                                        HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() == 200) {
                                  byUpstream
                                      .computeIfAbsent(
                                          r.body().substring(0, 1), k -> new AtomicInteger())
                                      .incrementAndGet();
                                } else {
                                  failures.incrementAndGet();
                                }
                              } catch (Exception e) {
                                failures.incrementAndGet();
                              }
                              progress.release();
                            }
                            return null;
                          }))
              .toList();

      int reloads = 0;
      int invalid = 0;
      for (int round = 0; !allDone(load); round++) {
        // one reload per 25 answers, so that reloads interleave with the load
        progress.tryAcquire(25, 1, TimeUnit.SECONDS);
        if (round % 3 == 2) {
          Files.writeString(
              file, "listeners:\n  public: {port: 0}\nroutes:\n  r:\n    match: {path: 7}\n");
          assertThat(gateway.reloadFile()).isFalse();
          invalid++;
        } else {
          Files.writeString(file, config(round % 2 == 0 ? "b" : "a", a, b, held));
          assertThat(gateway.reloadFile()).isTrue();
          reloads++;
        }
      }
      for (Future<Object> f : load) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.close();

      assertThat(failures.get()).as("requests lost across %d reloads", reloads).isZero();
      int served = byUpstream.values().stream().mapToInt(AtomicInteger::get).sum();
      assertThat(served).isEqualTo(clients * perClient);
      assertThat(reloads).isGreaterThan(1);
      assertThat(rejected).hasSize(invalid);
      assertThat(rejected.getFirst().getMessage())
          .contains("gateway.yaml:5: routes.r.match: path \"7\" must start with /");
      assertThat(gateway.configVersion()).isEqualTo(1 + reloads);

      // the request that started before every reload still completes on its snapshot
      heldRequest.response().end("released");
      HttpResponse<String> done = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(done.body()).isEqualTo("released");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void reloadReportsTheDiffAndTheRemovedRouteStopsMatching() throws Exception {
    Vertx vertx = Vertx.vertx();
    Upstream a = new Upstream(vertx, "a");
    try {
      GatewayConfig first = GatewayProxyTest.parse(config("a", a, a, a));
      GatewayConfig second =
          GatewayProxyTest.parse(
              config("a", a, a, a)
                  .replace(
                      "  held:\n    match: {path-prefix: /held}\n    cluster: held\n    timeout: 5m\n",
                      ""));
      try (Gateway gateway = Gateway.builder(first).vertx(vertx).start()) {
        URI held = URI.create("http://127.0.0.1:" + gateway.port("public") + "/held/x");
        assertThat(
                CLIENT
                    .send(
                        HttpRequest.newBuilder(held).build(), HttpResponse.BodyHandlers.ofString())
                    .body())
            .startsWith("a /held/x");

        List<String> diff = gateway.reload(second);

        assertThat(diff).containsExactly("- route held");
        assertThat(
                CLIENT
                    .send(
                        HttpRequest.newBuilder(held).build(), HttpResponse.BodyHandlers.ofString())
                    .body())
            .as("now the catch-all route takes it")
            .startsWith("a /held/x");
        assertThat(gateway.configVersion()).isEqualTo(2);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static boolean allDone(List<Future<Object>> futures) {
    return futures.stream().allMatch(Future::isDone);
  }
}
