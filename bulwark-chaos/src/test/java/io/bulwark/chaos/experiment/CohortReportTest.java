package io.bulwark.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.experiment.ExperimentResult.CohortSummary;
import io.bulwark.chaos.report.ExperimentReport;
import io.bulwark.core.context.Context;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultAction;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The report puts the experiment's cohort and the control side by side, from measured telemetry: a
 * system in virtual time sends half its requests in the experiment's cohort ({@code
 * chaos.experiment} baggage) and half outside; each request asks the real chaos engine at the
 * {@code http-server} point and records its RED with its cohort label into real telemetry. The
 * experiment's faults (30 % errors and 200 ms latency) are limited to the cohort, so the cohort's
 * error rate and percentiles differ from the control's, which stays clean; the faults last the
 * whole run, so every request is labelled and the figures add up to the SLO check's own counts.
 */
class CohortReportTest {
  static final String NAME = "cohort-demo";

  @Test
  void theReportShowsTheFaultedCohortAndTheCleanControlSideBySide() throws Exception {
    VirtualScheduler scheduler = new VirtualScheduler();
    AtomicLong sent = new AtomicLong();
    try (BulwarkTelemetry telemetry =
            BulwarkTelemetry.builder().clock(scheduler.virtualClock()).build();
        Chaos chaos =
            Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build()) {
      RedRecorder checkout = telemetry.endpoint("checkout");
      FaultSite site = new FaultSite(FaultPointKind.HTTP_SERVER, "shop", "shop-1", "/checkout");
      // every 10 ms (at 5, 15, 25... ms), 10 requests: even ones in the cohort, odd ones control
      scheduler.scheduleAtFixedRate(
          Duration.ofMillis(5).toNanos(),
          Duration.ofMillis(10).toNanos(),
          () -> {
            for (int i = 0; i < 10; i++) {
              long n = sent.incrementAndGet();
              Context c = Context.root().withCorrelationId("r-" + n);
              Context request = i % 2 == 0 ? c.withBaggage("chaos.experiment", NAME) : c;
              request.run(() -> serve(checkout, site));
            }
          });
      Experiment e =
          Experiment.builder(NAME)
              .seed(11)
              .duration(Duration.ofSeconds(10))
              .slo(
                  Slo.builder("checkout")
                      .sli(Sli.endpointAvailability("checkout"))
                      .objective(0.5)
                      .build())
              .abort(new AbortRule(1_000, Duration.ofMillis(500), 10))
              .step(
                  "errors",
                  Duration.ZERO,
                  Duration.ofSeconds(10),
                  StepFault.of("http-error", "http-server")
                      .withParam("status", "503")
                      .withPercent(30)
                      .inCohort(NAME))
              .step(
                  "slow",
                  Duration.ZERO,
                  Duration.ofSeconds(10),
                  StepFault.of("latency", "http-server").withParam("delay", "200ms").inCohort(NAME))
              .build();
      ExperimentRun run =
          ExperimentRunner.builder()
              .experiment(e)
              .scheduler(scheduler)
              .faults(new ChaosFaultControl(chaos))
              .telemetry(telemetry)
              .build()
              .start();
      scheduler.advance(Duration.ofSeconds(11));
      assertThat(run.isDone()).isTrue();
      ExperimentResult r = run.result().join();

      List<CohortSummary> cs = r.cohorts("endpoint:checkout");
      assertThat(cs).extracting(CohortSummary::cohort).containsExactly(NAME, ChaosCohort.CONTROL);
      CohortSummary cohort = cs.get(0);
      CohortSummary control = cs.get(1);
      // the same traffic in both (every burst splits 5/5)
      assertThat(cohort.requests()).isEqualTo(control.requests()).isGreaterThan(3_000);
      // control: clean; cohort: 30 % errors (the errors fault decides first, then the latency)
      assertThat(control.errors()).isZero();
      assertThat(control.errorRatio()).isZero();
      assertThat(cohort.errorRatio()).isBetween(0.26, 0.34);
      // latency: the control stays at its 4 ms, the cohort's median and p99 carry the 200 ms
      assertThat(control.p50Millis()).isPositive().isLessThan(10);
      assertThat(control.p99Millis()).isPositive().isLessThan(10);
      assertThat(cohort.p50Millis()).isGreaterThan(100);
      assertThat(cohort.p99Millis()).isGreaterThan(150);
      // the figures add up to the SLO check's own counts of all requests during the run
      ExperimentResult.CheckResult slo = r.check("checkout");
      assertThat(cohort.requests() + control.requests()).isEqualTo(slo.total());
      assertThat(cohort.errors() + control.errors()).isEqualTo(slo.total() - slo.good());

      // JSON: written and read back field by field; a result from before cohorts reads as none
      String json = ExperimentReport.json(r);
      assertThat(json).contains("\"cohorts\"", "\"cohort\" : \"" + NAME + "\"");
      assertThat(ExperimentReport.readJson(json)).isEqualTo(r);
      String old = json.substring(0, json.indexOf(",\n  \"cohorts\"")) + "\n}";
      assertThat(ExperimentReport.readJson(old).cohorts()).isEmpty();
      // HTML: one table per series, the cohort and the control in adjacent columns
      String html = ExperimentReport.html(r);
      assertThat(html)
          .contains("<h2>Cohort vs control</h2>")
          .contains("<th>endpoint:checkout</th><th>" + NAME + "</th><th>control</th>")
          .contains("<tr><td>error rate</td><td>" + pct(cohort.errorRatio()) + "</td><td>0.00 %")
          .contains(
              "<tr><td>requests</td><td>"
                  + (long) cohort.requests()
                  + "</td><td>"
                  + (long) control.requests()
                  + "</td></tr>");
    }
  }

  private static String pct(double ratio) {
    return String.format(java.util.Locale.ROOT, "%.2f %%", 100 * ratio);
  }

  /** One request: 4 ms, plus what the chaos engine decides for it; recorded with its cohort. */
  private static void serve(RedRecorder red, FaultSite site) {
    FaultAction a = FaultPoints.decide(site);
    long nanos = Duration.ofMillis(4).toNanos();
    Outcome outcome = Outcome.SUCCESS;
    if (a instanceof FaultAction.Delay d) {
      nanos += d.nanos();
    } else if (a instanceof FaultAction.Status s && s.status() >= 500) {
      outcome = Outcome.ERROR;
    }
    String label = a != null ? ChaosCohort.of(a.tag()) : ChaosCohort.current();
    if (label == null) {
      red.record(outcome, nanos);
    } else {
      red.record(outcome, nanos, label);
    }
  }
}
