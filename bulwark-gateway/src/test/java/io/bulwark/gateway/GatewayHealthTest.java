package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Active health checks and passive outlier ejection at gateway level, over real loopback upstreams
 * and on the injected scheduler: an endpoint failing its health check gets no traffic until it
 * passes again; an endpoint answering 5xx is ejected after consecutive failures and comes back
 * after its ejection time.
 */
class GatewayHealthTest {
  static Vertx vertx;
  static Upstream a;
  static Upstream b;
  static Upstream c;
  static volatile boolean bHealthy = true;
  static final java.util.concurrent.Semaphore bProbes = new java.util.concurrent.Semaphore(0);
  static Gateway gateway;
  static VirtualScheduler scheduler;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    a = new Upstream(vertx, "a");
    b =
        new Upstream(
            vertx,
            "b",
            req -> {
              if (req.path().equals("/health")) {
                req.response()
                    .setStatusCode(bHealthy ? 200 : 503)
                    .end()
                    .onComplete(v -> bProbes.release());
              } else {
                req.response().end("b " + req.uri());
              }
            });
    c =
        new Upstream(
            vertx,
            "c",
            req -> {
              if (req.path().equals("/health")) {
                req.response().end();
              } else {
                req.response().setStatusCode(500).end("c broken");
              }
            });
    scheduler = new VirtualScheduler();
    gateway =
        Gateway.builder(
                ConfigLoader.withEnv(Map.of())
                    .parse(
                        """
                        listeners:
                          public: {port: 0}
                        clusters:
                          checked:
                            endpoints: [%s, %s]
                            egress-allow: [loopback]
                            health-check:
                              path: /health
                              interval: 1s
                              timeout: 1s
                              healthy-threshold: 1
                              unhealthy-threshold: 1
                          ejecting:
                            endpoints: [%s, %s]
                            egress-allow: [loopback]
                            outlier:
                              consecutive-failures: 3
                              base-ejection: 30s
                              max-ejected-share: 0.5
                        routes:
                          checked:
                            match: {path-prefix: /checked}
                            cluster: checked
                          ejecting:
                            match: {path-prefix: /ejecting}
                            cluster: ejecting
                        admin: {port: 0}
                        """
                            .formatted(a.endpoint(), b.endpoint(), a.endpoint(), c.endpoint()),
                        "health.yaml",
                        GatewayConfig::bind))
            .vertx(vertx)
            .eventLoops(1)
            .scheduler(scheduler)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    a.close();
    b.close();
    c.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String clusters() throws Exception {
    return AdminView.clusters(gateway);
  }

  /** Runs health probes (one virtual interval) until admin shows {@code b} in {@code status}. */
  static void probeUntil(String status) throws Exception {
    for (int i = 0; i < 20; i++) {
      bProbes.drainPermits();
      scheduler.advance(Duration.ofSeconds(1));
      // the probe is real HTTP: wait for b to have answered it, then for its result in admin
      bProbes.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS);
      for (int j = 0; j < 50; j++) {
        String view = clusters();
        if (statusOf(view, "checked", b.endpoint()).startsWith(status)
            && statusOf(view, "checked", a.endpoint()).startsWith("healthy")) {
          return;
        }
      }
    }
    throw new AssertionError("b never became " + status + ": " + clusters());
  }

  static String statusOf(String view, String cluster, String id) throws Exception {
    return AdminView.statusOf(view, cluster, id);
  }

  @Test
  void anEndpointFailingItsHealthCheckGetsNoTrafficUntilItPassesAgain() throws Exception {
    bHealthy = false;
    probeUntil("unhealthy");
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get("/checked/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("a ");
    }
    bHealthy = true;
    probeUntil("healthy");
    int toB = 0;
    for (int i = 0; i < 20; i++) {
      toB += get("/checked/back-" + i).body().startsWith("b ") ? 1 : 0;
    }
    assertThat(toB).isPositive();
  }

  @Test
  void anEndpointAnswering5xxIsEjectedAfterConsecutiveFailuresAndReturnsAfterItsEjectionTime()
      throws Exception {
    int fromC = 0;
    for (int i = 0; i < 12 && fromC < 3; i++) {
      HttpResponse<String> r = get("/ejecting/" + i);
      if (r.statusCode() == 500) {
        fromC++;
      }
    }
    assertThat(fromC).isEqualTo(3);
    int hitsAtEjection = c.hits.get();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get("/ejecting/after-" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("a ");
    }
    assertThat(c.hits.get()).isEqualTo(hitsAtEjection);
    assertThat(statusOf(clusters(), "ejecting", c.endpoint())).contains("ejected");
    scheduler.advance(Duration.ofSeconds(31));
    int back = 0;
    for (int i = 0; i < 20; i++) {
      back += get("/ejecting/back-" + i).statusCode() == 500 ? 1 : 0;
    }
    assertThat(back).as("c gets traffic again after its ejection time").isPositive();
  }
}
