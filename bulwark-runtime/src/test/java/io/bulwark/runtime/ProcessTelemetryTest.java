package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.time.Clock;
import io.bulwark.runtime.dashboard.Dashboard;
import io.bulwark.telemetry.slo.BurnRateAlert;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.telemetry.slo.SloEvaluator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parent's view of what the instances served is the same in both modes: per-service stats with
 * percentiles and 429/503 counted apart, per-route RED, circuit breakers with their reasons, and
 * SLOs judged from the system's store, all read through the runtime's and the dashboard's public
 * API. In process mode every figure crossed a process boundary (the child's scrape).
 */
class ProcessTelemetryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path root;

  /** The traffic sent: route → how many calls. */
  private static final Map<String, Integer> TRAFFIC =
      Map.of("/ok", 10, "/slow", 2, "/limited", 3, "/overloaded", 4, "/fail", 1, "/trip", 1);

  private static final long REQUESTS = 21;
  private static final long ERRORS = 5; // 4 x 503 + 1 x 500
  private static final long RATE_LIMITED = 3;
  private static final long UNAVAILABLE = 4;

  @ParameterizedTest
  @ValueSource(strings = {"in-process", "processes"})
  void theParentSeesStatsRefusalsRoutesBreakersAndSlosOfEveryInstance(String mode)
      throws Exception {
    SystemModel model =
        SystemModel.builder("telemetry")
            .service(ServiceSpec.builder("edge", TelemetryNode.class.getName()).build())
            .build();
    RuntimeOptions options =
        // 6 s steps: the store keeps 600 of them, the hour an SLO's window needs at least
        RuntimeOptions.builder(root).metricsStep(Duration.ofSeconds(6)).build();
    try (SystemRuntime rt =
            mode.equals("processes")
                ? SystemRuntime.processes(model, options)
                : SystemRuntime.inProcess(model, options);
        HttpClient http = Probe.client()) {
      rt.start();
      SloEvaluator slos =
          new SloEvaluator(
              rt.metrics(),
              List.of(
                  Slo.builder("overloaded-available")
                      .sli(Sli.endpointAvailability("GET /overloaded"))
                      .objective(0.99)
                      .window(Duration.ofHours(1))
                      .alerts(
                          List.of(
                              new BurnRateAlert(
                                  BurnRateAlert.Severity.PAGE,
                                  2,
                                  Duration.ofMinutes(10),
                                  Duration.ofMinutes(1))))
                      .minimumEvents(1)
                      .build()),
              Clock.system(),
              e -> {});
      Dashboard dashboard =
          Dashboard.builder(rt)
              .statsFedByCaller()
              .slos(slos)
              .tick(Duration.ofMinutes(1))
              .build()
              .start();
      try {
        dashboard.tick(); // the RED baseline, before any traffic
        rt.takeStats();
        int port = rt.instance("edge-1").port();
        for (Map.Entry<String, Integer> e : TRAFFIC.entrySet()) {
          for (int i = 0; i < e.getValue(); i++) {
            Probe.get(http, port, e.getKey());
          }
        }
        Seen seen = new Seen();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!seen.complete() && System.nanoTime() < deadline) {
          List<ServiceStats> stats = rt.takeStats();
          dashboard.offerStats(stats);
          seen.add(stats);
          slos.evaluate();
          dashboard.tick();
          seen.add(get(http, dashboard, "/api/snapshot"));
          if (!seen.complete()) {
            Thread.sleep(200); // the next scrape or store step: polled, never proving absence
          }
        }
        assertThat(seen.requests).as("requests").isEqualTo(REQUESTS);
        assertThat(seen.errors).as("5xx").isEqualTo(ERRORS);
        assertThat(seen.rateLimited).as("429").isEqualTo(RATE_LIMITED);
        assertThat(seen.unavailable).as("503").isEqualTo(UNAVAILABLE);
        assertThat(seen.p99Nanos).as("p99").isGreaterThanOrEqualTo(TelemetryNode.SLOW.toNanos());
        for (Map.Entry<String, Integer> e : TRAFFIC.entrySet()) {
          assertThat(seen.routes.get("GET " + e.getKey()))
              .as("route %s", e.getKey())
              .isEqualTo(e.getValue().longValue());
        }
        assertThat(seen.routes.keySet()).noneMatch(r -> r.contains("/metrics/runtime"));
        slos.evaluate();
        dashboard.tick();
        JsonNode last = get(http, dashboard, "/api/snapshot");
        JsonNode breaker = last.get("breakers").get(0);
        assertThat(breaker.get("instance").asText()).isEqualTo("edge-1");
        assertThat(breaker.get("breaker").asText()).isEqualTo("downstream");
        assertThat(breaker.get("state").asText()).isEqualTo("OPEN");
        assertThat(breaker.get("reason").asText()).contains("failure rate");
        assertThat(breaker.get("transitions").asLong()).isEqualTo(1);
        assertThat(rt.breakers())
            .singleElement()
            .satisfies(v -> assertThat(v.reason()).isEqualTo(breaker.get("reason").asText()));
        JsonNode history = last.get("red").get("services").get("edge");
        assertThat(max(history.get("rateLimitedPct"))).isPositive();
        assertThat(max(history.get("unavailablePct"))).isPositive();
        assertThat(max(history.get("p99Ms"))).isGreaterThanOrEqualTo(60.0);
        JsonNode slo = last.get("slos").get("list").get(0);
        assertThat(slo.get("slo").asText()).isEqualTo("overloaded-available");
        assertThat(slo.get("budgetRemaining").asDouble()).isLessThanOrEqualTo(0);
        assertThat(slo.get("firing")).isNotEmpty();
        assertThat(rt.prometheus())
            .contains("bulwark_instance_rate_limited_total{")
            .contains("bulwark_instance_unavailable_total{");
      } finally {
        dashboard.close();
      }
    }
  }

  /** Everything the test saw, summed over the intervals it read. */
  private static final class Seen {
    long requests;
    long errors;
    long rateLimited;
    long unavailable;
    long p99Nanos;
    final Map<String, Long> routes = new HashMap<>();
    boolean breakerOpen;
    boolean sloFiring;

    void add(List<ServiceStats> stats) {
      for (ServiceStats s : stats) {
        requests += s.requests();
        errors += s.errors();
        rateLimited += s.rateLimited();
        unavailable += s.unavailable();
        p99Nanos = Math.max(p99Nanos, s.p99Nanos());
      }
    }

    void add(JsonNode snapshot) {
      for (JsonNode r : snapshot.get("red").get("routes")) {
        routes.merge(r.get("route").asText(), r.get("requests").asLong(), Long::sum);
      }
      for (JsonNode b : snapshot.get("breakers")) {
        breakerOpen |= b.get("state").asText().equals("OPEN");
      }
      for (JsonNode slo : snapshot.get("slos").get("list")) {
        sloFiring |= !slo.get("firing").isEmpty();
      }
    }

    boolean complete() {
      return requests >= REQUESTS
          && breakerOpen
          && sloFiring
          && routes.getOrDefault("GET /ok", 0L) >= TRAFFIC.get("/ok");
    }
  }

  private static double max(JsonNode array) {
    double m = Double.NEGATIVE_INFINITY;
    for (JsonNode v : array) {
      m = Math.max(m, v.asDouble());
    }
    return m;
  }

  private static JsonNode get(HttpClient http, Dashboard d, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(d.url() + path.substring(1))).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
