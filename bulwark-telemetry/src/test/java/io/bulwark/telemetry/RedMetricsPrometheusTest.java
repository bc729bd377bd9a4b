package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.test.VirtualClock;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricsProcessor;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.walkers.CollectorPrometheusMetricsWalker;
import org.junit.jupiter.api.Test;

class RedMetricsPrometheusTest {

  static List<MetricFamily> parse(String text) throws Exception {
    CollectorPrometheusMetricsWalker walker = new CollectorPrometheusMetricsWalker();
    new TextPrometheusMetricsProcessor(
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), walker)
        .walk();
    return walker.getAllMetricFamilies();
  }

  static MetricFamily family(List<MetricFamily> families, String name) {
    return families.stream()
        .filter(f -> f.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no family " + name + " in " + names(families)));
  }

  static List<String> names(List<MetricFamily> families) {
    return families.stream().map(MetricFamily::getName).toList();
  }

  @Test
  void redMetricsAppearInPrometheusOutputThatALibraryParserReads() throws Exception {
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().clock(new VirtualClock()).build()) {
      RedRecorder checkout = t.endpoint("checkout");
      checkout.success(Duration.ofMillis(3).toNanos());
      checkout.success(Duration.ofMillis(30).toNanos());
      checkout.record(Outcome.ERROR, Duration.ofMillis(700).toNanos());
      t.dependency("payments").record(Outcome.TIMEOUT, Duration.ofSeconds(20).toNanos());

      List<MetricFamily> families = parse(t.scrapePrometheus());

      MetricFamily requests = family(families, "bulwark_endpoint_requests_total");
      Map<String, Double> byOutcome =
          requests.getMetrics().stream()
              .collect(
                  Collectors.toMap(
                      m -> m.getLabels().get("outcome"), m -> ((Counter) m).getValue()));
      assertThat(byOutcome).containsOnly(Map.entry("success", 2.0), Map.entry("error", 1.0));
      assertThat(requests.getMetrics().get(0).getLabels()).containsEntry("endpoint", "checkout");

      Histogram h =
          (Histogram) family(families, "bulwark_endpoint_duration_seconds").getMetrics().get(0);
      assertThat(h.getSampleCount()).isEqualTo(3);
      assertThat(h.getSampleSum()).isCloseTo(0.733, org.assertj.core.data.Offset.offset(1e-9));
      Map<Double, Long> cumulative =
          h.getBuckets().stream()
              .collect(
                  Collectors.toMap(
                      Histogram.Bucket::getUpperBound, Histogram.Bucket::getCumulativeCount));
      assertThat(cumulative)
          .containsEntry(0.005, 1L)
          .containsEntry(0.025, 1L)
          .containsEntry(0.05, 2L)
          .containsEntry(0.5, 2L)
          .containsEntry(1.0, 3L)
          .containsEntry(Double.POSITIVE_INFINITY, 3L);

      // the le labels are spelled as the SLO rules and the embedded store spell them
      String text = t.scrapePrometheus();
      for (Duration bound : TelemetryConfig.DEFAULT_BUCKETS) {
        assertThat(text).contains("le=\"" + MetricNames.le(bound) + "\"");
      }

      MetricFamily deps = family(families, "bulwark_dependency_requests_total");
      assertThat(deps.getMetrics().get(0).getLabels())
          .containsEntry("dependency", "payments")
          .containsEntry("outcome", "timeout");
    }
  }

  @Test
  void metricsEndpointServesParsableTextOverHttp() throws Exception {
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().build();
        PrometheusEndpoint endpoint = PrometheusEndpoint.start(t, "127.0.0.1", 0);
        HttpClient client = HttpClient.newHttpClient()) {
      t.endpoint("home").success(1_000_000);
      t.decisions().record("payments-cb", "circuit_open", "failure rate 60% > 50%");
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue(PrometheusEndpoint.CONTENT_TYPE);
      List<MetricFamily> families = parse(response.body());
      assertThat(names(families))
          .contains(
              "bulwark_endpoint_requests_total",
              "bulwark_endpoint_duration_seconds",
              "bulwark_decisions_total");
      Counter decision = (Counter) family(families, "bulwark_decisions_total").getMetrics().get(0);
      assertThat(decision.getLabels())
          .containsEntry("component", "payments-cb")
          .containsEntry("decision", "circuit_open");
      assertThat(decision.getValue()).isEqualTo(1.0);
    }
  }

  @Test
  void cardinalityIsBoundedAndOverflowIsCounted() throws Exception {
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().maxNamesPerDimension(3).build()) {
      for (int i = 0; i < 10; i++) {
        t.endpoint("user-" + i).success(1);
      }
      assertThat(t.endpoint("user-0").name()).isEqualTo("user-0");
      assertThat(t.endpoint("user-9").name()).isEqualTo("_overflow");
      List<MetricFamily> families = parse(t.scrapePrometheus());
      List<String> endpoints =
          family(families, "bulwark_endpoint_requests_total").getMetrics().stream()
              .map(m -> m.getLabels().get("endpoint"))
              .sorted()
              .toList();
      assertThat(endpoints).containsExactly("_overflow", "user-0", "user-1", "user-2");
      Counter overflow =
          (Counter) family(families, "bulwark_telemetry_overflow_total").getMetrics().get(0);
      assertThat(overflow.getValue()).isEqualTo(8.0); // 7 in the loop + the user-9 lookup
    }
  }

  @Test
  void disabledTelemetryRecordsNothing() throws Exception {
    try (BulwarkTelemetry t = BulwarkTelemetry.noop()) {
      t.endpoint("x").success(5);
      t.decisions().shed("limiter", "limit 10 reached");
      assertThat(t.tracing().startSpan("root").isRecording()).isFalse();
      assertThat(parse(t.scrapePrometheus()).stream().map(MetricFamily::getName))
          .noneMatch(n -> n.startsWith("bulwark_"));
    }
  }

  @Test
  void badInputIsRejectedWithTheValue() {
    try (BulwarkTelemetry t = BulwarkTelemetry.builder().build()) {
      assertThatThrownBy(() -> t.endpoint(""))
          .hasMessageContaining("endpoint name")
          .hasMessageContaining("\"\"");
      assertThatThrownBy(() -> t.dependency("a\nb")).hasMessageContaining("control characters");
    }
    assertThatThrownBy(() -> TelemetryConfig.builder().samplingRatio(1.5))
        .hasMessageContaining("samplingRatio")
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> TelemetryConfig.builder().maxNamesPerDimension(0))
        .hasMessageContaining("was 0");
    assertThatThrownBy(
            () ->
                TelemetryConfig.builder()
                    .durationBuckets(List.of(Duration.ofMillis(10), Duration.ofMillis(5))))
        .hasMessageContaining("strictly increasing");
    assertThatThrownBy(() -> TelemetryConfig.builder().otlpEndpoint(URI.create("ftp://x")))
        .hasMessageContaining("ftp://x");
  }
}
