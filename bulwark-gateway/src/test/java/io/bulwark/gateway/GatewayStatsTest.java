package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Gateway#stats()} over real loopback: per-route RED counts (answers, errors, refusals by a
 * rate limit), per-cluster attempts and endpoint health, and the reload history, with counts kept
 * across a reload that keeps a route's name.
 */
class GatewayStatsTest {
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static String yaml(String up, int deadPort, String extra) {
    return """
        listeners:
          public: {port: 0}
        admin: {port: 0}
        clusters:
          up: {endpoints: [%s], egress-allow: [loopback]}
          down: {endpoints: ["127.0.0.1:%d"], egress-allow: [loopback]}
        routes:
          limited:
            match: {path-prefix: /limited}
            cluster: up
            rate-limits:
              whole-route: {key: route, permits: 2, period: 1m, burst: 2}
          broken:
            match: {path-prefix: /broken}
            cluster: down
        %s
          open:
            match: {path-prefix: /}
            cluster: up
        """
        .formatted(up, deadPort, extra);
  }

  private static int status(Gateway g, String path) throws Exception {
    return CLIENT
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port("public") + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /** The stats once {@code n} answers are counted over all routes (fails after 10 s). */
  private static GatewayStats awaitRequests(Gateway g, long n) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      GatewayStats s = g.stats();
      long counted = s.routes().stream().mapToLong(GatewayStats.Route::requests).sum();
      long attempts = s.clusters().stream().mapToLong(GatewayStats.Cluster::attempts).sum();
      if (counted >= n && attempts >= n - 1) {
        return s;
      }
      assertThat(System.nanoTime() - deadline)
          .as("waiting for %d counted answers: %s", n, s)
          .isNegative();
      Thread.onSpinWait();
    }
  }

  @Test
  void routesClustersAndReloadsAreCountedAndShown() throws Exception {
    Vertx vertx = Vertx.vertx();
    Upstream upstream = new Upstream(vertx, "up");
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // closed again: connections are refused
    }
    VirtualScheduler time = new VirtualScheduler();
    ConfigLoader loader = ConfigLoader.withEnv(Map.of());
    try (Gateway g =
        Gateway.builder(
                loader.parse(
                    yaml(upstream.endpoint(), deadPort, ""), "gw.yaml", GatewayConfig::bind))
            .vertx(vertx)
            .scheduler(time)
            .start()) {
      assertThat(status(g, "/limited/a")).isEqualTo(200);
      assertThat(status(g, "/limited/b")).isEqualTo(200);
      assertThat(status(g, "/limited/c")).isEqualTo(429);
      for (int i = 0; i < 4; i++) {
        assertThat(status(g, "/x" + i)).isEqualTo(200);
      }
      assertThat(status(g, "/broken")).isGreaterThanOrEqualTo(500);

      // a route's RED record may land just after its answer reached the client: wait for all 8
      GatewayStats s = awaitRequests(g, 8);
      assertThat(s.configVersion()).isEqualTo(1);
      assertThat(s.reloads()).isEmpty();
      assertThat(s.routes())
          .extracting(
              r ->
                  r.name()
                      + " -> "
                      + r.target()
                      + " requests="
                      + r.requests()
                      + " errors="
                      + r.errors()
                      + " refused="
                      + r.refused())
          .containsExactly(
              "limited -> up requests=3 errors=0 refused=1",
              "broken -> down requests=1 errors=1 refused=0",
              "open -> up requests=4 errors=0 refused=0");
      assertThat(s.routes().get(2).match()).isEqualTo("prefix /");
      // latency is measured on the gateway's clock: virtual here, and it stood still
      assertThat(s.routes().get(2).meanLatencyMillis()).isZero();
      GatewayStats.Cluster up =
          s.clusters().stream().filter(c -> c.name().equals("up")).findFirst().orElseThrow();
      assertThat(up.attempts()).isEqualTo(6); // the refused request never reached it
      assertThat(up.failures()).isZero();
      assertThat(up.endpoints())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.address()).isEqualTo("127.0.0.1");
                assertThat(e.status()).isEqualTo("healthy");
                assertThat(e.inFlight()).isZero();
              });
      GatewayStats.Cluster down =
          s.clusters().stream().filter(c -> c.name().equals("down")).findFirst().orElseThrow();
      assertThat(down.failures()).isEqualTo(down.attempts()).isPositive();

      // a reload keeps the counts of routes it keeps and records what changed
      java.util.List<String> changes =
          g.reload(
              loader.parse(
                  yaml(
                      upstream.endpoint(),
                      deadPort,
                      "  extra:\n    match: {path-prefix: /extra}\n    cluster: up\n"),
                  "gw.yaml",
                  GatewayConfig::bind));
      assertThat(changes).contains("+ route extra");
      assertThat(status(g, "/x9")).isEqualTo(200);
      GatewayStats after = awaitRequests(g, 9);
      assertThat(after.configVersion()).isEqualTo(2);
      assertThat(after.reloads())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.version()).isEqualTo(2);
                assertThat(r.changes()).isEqualTo(changes);
                assertThat(r.atMillis()).isEqualTo(time.clock().wallMillis());
              });
      assertThat(after.routes())
          .extracting(GatewayStats.Route::name)
          .containsExactly("limited", "broken", "extra", "open");
      assertThat(after.routes().get(3).requests()).isEqualTo(5);
      assertThat(after.routes().get(2).requests()).isZero();
    } finally {
      upstream.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
