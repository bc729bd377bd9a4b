package io.bulwark.chaos.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.cohort.LabelTelemetry;
import io.bulwark.chaos.cohort.LogCapture;
import io.bulwark.core.context.Context;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.test.RecordingTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos cohort on the spans and log lines of HTTP requests, server and client side, asserted
 * directly: real server and client on loopback, real Logback with the context stamping appender
 * (logback-test.xml), recorded spans, real RED series. While a fault of experiment {@code exp-1} is
 * active, a request in its cohort carries {@code exp-1} on its server span, client span, handler
 * and caller log lines and access log line; a control request carries {@code control} there and
 * never {@code exp-1}; any other (hostile) baggage value carries {@code other} and never appears
 * anywhere. With no fault active, nothing is labelled at all.
 */
class CohortSpanAndLogLabelsTest {

  @BeforeAll
  static void logback() {
    LabelTelemetry.assumeLogback();
  }

  private static final Logger LOG = LoggerFactory.getLogger(CohortSpanAndLogLabelsTest.class);
  private static final int N = 12;
  private static final int HOSTILE = 300;

  private static Context request(String id, String experiment) {
    Context c = Context.root().withCorrelationId(id);
    return experiment == null ? c : c.withBaggage("chaos.experiment", experiment);
  }

  private static int call(ServiceClient client, String id, String experiment) throws Exception {
    return request(id, experiment)
        .call(
            () -> {
              LOG.info("caller {}", id);
              return client.send(ClientRequest.get("/a?n=" + id)).status();
            });
  }

  private static String hostile(int i) {
    return "exp-1" + "<img onerror=alert(" + i + ")>\u202e" + "x".repeat(i % 40) + i;
  }

  /** The one span of {@code kind} whose request carried correlation id {@code id}. */
  private static RecordingTelemetry.Span span(LabelTelemetry t, SpanKind kind, String id) {
    // the server ends its span (and writes the access line) just after the answer went out
    long limit = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<RecordingTelemetry.Span> found;
    do {
      found = t.spans.spans(kind).stream().filter(s -> id.equals(s.correlationId())).toList();
    } while (found.isEmpty() && System.nanoTime() - limit < 0);
    assertThat(found).as("%s spans of %s", kind, id).hasSize(1);
    return found.getFirst();
  }

  @Test
  void cohortControlAndOtherRequestsAreLabelledOnSpansAndLogLinesAndNothingWithoutChaos()
      throws Exception {
    try (Loopback net = new Loopback();
        LabelTelemetry t = new LabelTelemetry();
        Chaos chaos =
            Chaos.builder()
                .config(ChaosConfig.enabledDefaults())
                .scheduler(net.scheduler)
                .build()) {
      BulwarkServer shop =
          net.server(
              "shop",
              "shop-1",
              t,
              b ->
                  b.get(
                      "/a",
                      r -> {
                        LOG.info("handled {}", r.query("n"));
                        return Response.text(200, "ok");
                      }));
      assertThat(shop.port()).isPositive();
      // a generous budget per call: the test is about labels, and CI machines can be loaded
      ServiceClient client = net.client("shop", Duration.ofSeconds(30), t);
      // a fault of exp-1 at a point no request reaches: it labels, it changes nothing
      chaos.start(
          new FaultSpec(
              Fault.Latency.of(Duration.ofMillis(1)),
              BlastRadius.builder().points(FaultPointKind.USER).route("never-reached").build(),
              Duration.ofMinutes(10),
              "exp-1",
              0));
      for (int i = 0; i < N; i++) {
        assertThat(call(client, "coh-" + i, "exp-1")).isEqualTo(200);
        assertThat(call(client, "ctl-" + i, null)).isEqualTo(200);
      }
      for (int i = 0; i < HOSTILE; i++) {
        assertThat(call(client, "hos-" + i, hostile(i))).isEqualTo(200);
      }

      for (int i = 0; i < N; i++) {
        for (String id : List.of("coh-" + i, "ctl-" + i)) {
          String want = id.startsWith("coh") ? "exp-1" : ChaosCohort.CONTROL;
          assertThat(span(t, SpanKind.SERVER, id).attributes())
              .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, want);
          assertThat(span(t, SpanKind.CLIENT, id).attributes())
              .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, want);
          assertThat(LogCapture.exactly("handled " + id).cohort()).isEqualTo(want);
          assertThat(LogCapture.exactly("caller " + id).cohort()).isEqualTo(want);
          LogCapture.Line access = LogCapture.one("correlationId=" + id + " ");
          assertThat(access.logger()).isEqualTo("io.bulwark.http.access");
          assertThat(access.kv()).containsEntry(ChaosCohort.LABEL, want);
          // written after the request, outside its context: stamped with its own cohort
          assertThat(access.cohort()).isEqualTo(want);
          assertThat(access.message()).contains("chaosCohort=" + want);
        }
      }
      // hostile names: every one labelled "other", and none of them appears as a label anywhere
      for (int i = 0; i < HOSTILE; i += 37) {
        String id = "hos-" + i;
        assertThat(span(t, SpanKind.SERVER, id).attributes())
            .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, ChaosCohort.OTHER);
        assertThat(span(t, SpanKind.CLIENT, id).attributes())
            .containsEntry(ChaosCohort.SPAN_ATTRIBUTE, ChaosCohort.OTHER);
        assertThat(LogCapture.exactly("handled " + id).cohort()).isEqualTo(ChaosCohort.OTHER);
        assertThat(LogCapture.one("correlationId=" + id + " ").kv())
            .containsEntry(ChaosCohort.LABEL, ChaosCohort.OTHER);
      }
      // every hostile request's access line (written once its metrics are recorded), so the
      // counts below include the last ones answered and the chaos cleared below is not theirs
      for (int i = 0; i < HOSTILE; i++) {
        assertThat(LogCapture.one("correlationId=hos-" + i + " ").kv())
            .containsEntry(ChaosCohort.LABEL, ChaosCohort.OTHER);
      }
      assertThat(
              t.spans.spans().stream()
                  .map(s -> s.attributes().get(ChaosCohort.SPAN_ATTRIBUTE))
                  .distinct())
          .containsExactlyInAnyOrder("exp-1", ChaosCohort.CONTROL, ChaosCohort.OTHER);
      assertThat(LogCapture.containing("hos-").stream().map(LogCapture.Line::cohort).distinct())
          .containsExactly(ChaosCohort.OTHER);
      // the metrics: exactly these counts per cohort, server endpoint and client dependency alike
      Map<String, Long> expected =
          Map.of(
              "exp-1", (long) N, ChaosCohort.CONTROL, (long) N, ChaosCohort.OTHER, (long) HOSTILE);
      assertThat(t.cohortCounts("endpoint", "GET /a")).isEqualTo(expected);
      assertThat(t.cohortCounts("dependency", "shop")).isEqualTo(expected);
      String scrape = t.metrics.scrapePrometheus();
      assertThat(scrape).doesNotContain("onerror").doesNotContain("\u202e");

      // no fault active: no label on spans, log lines or metrics, even with the baggage
      chaos.clearAll();
      assertThat(call(client, "after-1", "exp-1")).isEqualTo(200);
      assertThat(span(t, SpanKind.SERVER, "after-1").attributes())
          .doesNotContainKey(ChaosCohort.SPAN_ATTRIBUTE);
      assertThat(span(t, SpanKind.CLIENT, "after-1").attributes())
          .doesNotContainKey(ChaosCohort.SPAN_ATTRIBUTE);
      assertThat(LogCapture.exactly("handled after-1").mdc()).doesNotContainKey(ChaosCohort.LABEL);
      assertThat(LogCapture.exactly("caller after-1").mdc()).doesNotContainKey(ChaosCohort.LABEL);
      assertThat(LogCapture.one("correlationId=after-1 ").kv())
          .doesNotContainKey(ChaosCohort.LABEL);
      assertThat(t.cohortCounts("endpoint", "GET /a")).isEqualTo(expected);
      assertThat(t.total("endpoint", "GET /a")).isEqualTo(2L * N + HOSTILE + 1);
    }
  }
}
