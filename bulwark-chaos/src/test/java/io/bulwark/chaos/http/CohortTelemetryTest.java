package io.bulwark.chaos.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.core.context.Context;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.slo.EventCounts;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.store.StoreScraper;
import io.bulwark.telemetry.store.TimeSeriesStore;
import io.bulwark.test.VirtualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cohort versus control: while a chaos fault is active, every request's RED metrics are also
 * recorded in its cohort's own series ({@code bulwark_chaos_*{chaos_cohort=...}}), so an SLO can be
 * evaluated on the cohort or on the control only; a cohort's errors never reach the control's
 * series and the control's errors never reach the cohort's. Real server on loopback, real
 * telemetry, the embedded store.
 */
class CohortTelemetryTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static int get(BulwarkServer s, String path, String experiment) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path));
    if (experiment != null) {
      b.header("baggage", "user=7,chaos.experiment=" + experiment);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /**
   * Waits (at most 10 s) until the server has recorded {@code n} requests of {@code endpoint}: it
   * records a request (and decides its cohort) just after writing the answer the client got.
   */
  static void awaitRecorded(BulwarkTelemetry telemetry, String endpoint, long n) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      long recorded =
          telemetry.redSnapshots("endpoint").stream()
              .filter(r -> r.name().equals(endpoint))
              .mapToLong(r -> r.total())
              .sum();
      if (recorded >= n) {
        assertThat(recorded).as("requests of %s recorded", endpoint).isEqualTo(n);
        return;
      }
      assertThat(System.nanoTime() - deadline)
          .as("waiting for %d recorded requests of %s, %d so far", n, endpoint, recorded)
          .isNegative();
      Thread.onSpinWait();
    }
  }

  @Test
  void cohortAndControlSeriesAreSeparateAndAnSloCanBeJudgedOnEither() throws Exception {
    VirtualClock clock = new VirtualClock();
    TimeSeriesStore store =
        TimeSeriesStore.builder()
            .clock(clock)
            .resolution(Duration.ofSeconds(1))
            .retention(Duration.ofHours(1))
            .build();
    try (Loopback net = new Loopback();
        BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build();
        Chaos chaos =
            Chaos.builder()
                .config(ChaosConfig.enabledDefaults())
                .scheduler(net.scheduler)
                .build()) {
      BulwarkServer shop =
          net.server(
              "shop",
              "shop-1",
              telemetry,
              b ->
                  b.get(
                      "/a",
                      r ->
                          "1".equals(r.query("fail"))
                              ? Response.text(500, "real failure")
                              : Response.text(200, "ok")));
      StoreScraper scraper = new StoreScraper(telemetry, store);
      // before chaos: one ordinary request, and no cohort series at all
      assertThat(get(shop, "/a", "exp-1")).isEqualTo(200);
      awaitRecorded(telemetry, "GET /a", 1); // recorded before chaos starts: no cohort
      assertThat(telemetry.scrapePrometheus()).doesNotContain("bulwark_chaos_");
      scraper.scrapeNow();

      chaos.start(
          new FaultSpec(
              new Fault.HttpError(503),
              BlastRadius.builder()
                  .points(FaultPointKind.HTTP_SERVER)
                  .route("/a")
                  .cohort("exp-1")
                  .build(),
              Duration.ofMinutes(10),
              "exp-1",
              1));
      for (int i = 0; i < 30; i++) {
        assertThat(get(shop, "/a", "exp-1")).isEqualTo(503); // the cohort, faulted
        assertThat(get(shop, "/a", null)).isEqualTo(200); // the control
      }
      for (int i = 0; i < 7; i++) {
        assertThat(get(shop, "/a?fail=1", null)).isEqualTo(500); // the control's own errors
        assertThat(get(shop, "/a", "exp-unknown")).isEqualTo(200); // not an active cohort
      }
      awaitRecorded(telemetry, "GET /a", 75);
      clock.advance(Duration.ofSeconds(10));
      scraper.scrapeNow();

      Sli all = Sli.endpointAvailability("GET /a");
      Duration w = Duration.ofMinutes(1);
      EventCounts cohort = all.inCohort("exp-1").counts(store, w);
      EventCounts control = all.inCohort(ChaosCohort.CONTROL).counts(store, w);
      EventCounts other = all.inCohort(ChaosCohort.OTHER).counts(store, w);
      EventCounts everything = all.counts(store, w);
      // the cohort: exactly its 30 faulted requests, none of the control's 7 real errors
      assertThat(cohort.total()).isEqualTo(30);
      assertThat(cohort.good()).isZero();
      // the control: its 37 requests with its own 7 errors, none of the cohort's 30
      assertThat(control.total()).isEqualTo(37);
      assertThat(control.good()).isEqualTo(30);
      // an unknown cohort value collapses to "other"; its name never becomes a label
      assertThat(other.total()).isEqualTo(7);
      assertThat(other.good()).isEqualTo(7);
      assertThat(telemetry.scrapePrometheus()).doesNotContain("exp-unknown");
      // the ordinary series still count every request, the one before chaos included (the window
      // reaches back before the first scrape)
      assertThat(everything.total()).isEqualTo(75);
      assertThat(everything.good()).isEqualTo(38);
      // the PromQL of a cohort SLI selects the chaos series with the label
      assertThat(all.inCohort("exp-1").errorRatioPromQl("5m"))
          .contains(
              "bulwark_chaos_endpoint_requests_total{chaos_cohort=\"exp-1\",endpoint=\"GET /a\"");
      chaos.clearAll();
      assertThat(FaultPoints.injector()).isNull();
      assertThat(ChaosCohort.of(Context.root().withBaggage("chaos.experiment", "exp-1"))).isNull();
    }
  }

  @Test
  void cohortLabelsAreBoundedToActiveExperiments() {
    try (Loopback net = new Loopback();
        BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build();
        Chaos chaos =
            Chaos.builder()
                .config(ChaosConfig.enabledDefaults())
                .scheduler(net.scheduler)
                .build()) {
      chaos.start(
          new FaultSpec(
              Fault.Latency.of(Duration.ofMillis(1)),
              BlastRadius.builder().points(FaultPointKind.USER).route("nothing").build(),
              Duration.ofMinutes(1),
              "exp-9",
              0));
      assertThat(ChaosCohort.of(Context.root())).isEqualTo(ChaosCohort.CONTROL);
      assertThat(ChaosCohort.of(Context.root().withBaggage("chaos.experiment", "exp-9")))
          .isEqualTo("exp-9");
      // hostile values: many distinct names all collapse to "other"
      RedRecorder red = telemetry.dependency("payments");
      for (int i = 0; i < 500; i++) {
        String label = ChaosCohort.of(Context.root().withBaggage("chaos.experiment", "x-" + i));
        assertThat(label).isEqualTo(ChaosCohort.OTHER);
        red.record(Outcome.SUCCESS, 1_000, label);
      }
      // even a caller passing raw names directly is capped (16 series, then "other")
      for (int i = 0; i < 100; i++) {
        red.record(Outcome.ERROR, 1_000, "raw-" + i);
      }
      List<String> cohortLines =
          telemetry
              .scrapePrometheus()
              .lines()
              .filter(l -> l.startsWith("bulwark_chaos_dependency_requests_total{"))
              .toList();
      assertThat(cohortLines).hasSizeLessThanOrEqualTo(17);
      assertThat(cohortLines).anySatisfy(l -> assertThat(l).contains("chaos_cohort=\"other\""));
    }
  }
}
