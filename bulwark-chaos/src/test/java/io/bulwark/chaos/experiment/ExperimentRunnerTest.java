package io.bulwark.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.chaos.experiment.ExperimentResult.Verdict;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import io.bulwark.telemetry.store.SeriesKey;
import io.bulwark.telemetry.store.TimeSeriesStore;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runner in virtual time against {@link SimulatedShop} (1,000 requests/s to endpoint checkout):
 * verdicts measured from the scraped RED metrics, the abort instant, the budget floor, ramps,
 * refused faults, and the same seed giving the same result.
 */
class ExperimentRunnerTest {
  final SimulatedShop shop = new SimulatedShop();

  @AfterEach
  void close() {
    shop.close();
  }

  static Slo availability(double objective) {
    return Slo.builder("checkout")
        .sli(Sli.endpointAvailability("checkout"))
        .objective(objective)
        .build();
  }

  static Experiment.Builder errors(double percent, double objective) {
    return Experiment.builder("checkout-errors")
        .seed(7)
        .duration(Duration.ofSeconds(30))
        .slo(availability(objective))
        .abort(new AbortRule(1_000, Duration.ofMillis(500), 10))
        .step(
            "errors",
            Duration.ofSeconds(5),
            Duration.ofSeconds(20),
            StepFault.of("http-error", "http-server")
                .withParam("status", "503")
                .withPercent(percent));
  }

  @Test
  void holdsWhenTheMeasuredBadRatioStaysWithinTheObjective() {
    // 10 % errors for 20 s of 30 s: about 6.7 % bad, within a 90 % objective
    ExperimentResult r = shop.run(shop.runner(errors(10, 0.90).build()));
    assertThat(r.verdict()).isEqualTo(Verdict.HELD);
    ExperimentResult.CheckResult c = r.check("checkout");
    assertThat(c.total()).isEqualTo(30_000); // 1,000 req/s for 30 s, nothing from before the run
    assertThat(1 - c.measured()).isCloseTo(0.1 * 20 / 30, within(0.005));
    assertThat(r.budgets().get(0).badEvents()).isEqualTo(c.total() - c.good());
    assertThat(r.budgets().get(0).spent()).isCloseTo((1 - c.measured()) / 0.1, within(1e-9));
    assertThat(shop.faults.calls).containsExactly("f0 on http-error 10.0% ttl 20000");
  }

  @Test
  void failsWhenTheSameFaultIsStrongerThanTheObjectiveAllows() {
    ExperimentResult r = shop.run(shop.runner(errors(30, 0.90).build()));
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(1 - r.check("checkout").measured()).isCloseTo(0.3 * 20 / 30, within(0.01));
    assertThat(r.reason()).startsWith("checkout did not hold");
    assertThat(r.budgets().get(0).spent()).isGreaterThan(1);
  }

  @Test
  void trafficBeforeTheRunDoesNotCount() {
    shop.scheduler.advance(Duration.ofSeconds(10)); // 10,000 clean requests first
    ExperimentResult r = shop.run(shop.runner(errors(30, 0.90).build()));
    assertThat(r.check("checkout").total()).isEqualTo(30_000);
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
  }

  /**
   * 100 % errors from 5 s, SLO 99 % (budget 1 %), abort above 10x over 500 ms: the tick at 5.25 s
   * sees half the window bad (burn 50) and aborts there; faults are cleared, rollbacks run.
   */
  @Test
  void abortsAtTheFirstTickWhoseWindowBurnsAboveTheThreshold() {
    List<String> rolledBack = new ArrayList<>();
    Experiment e =
        errors(100, 0.99)
            .abort(new AbortRule(10, Duration.ofMillis(500), 10))
            .rollback(
                Rollback.run(
                    "flag-off", () -> rolledBack.add("at " + shop.scheduler.clock().nanoTime())))
            .build();
    ExperimentResult r = shop.run(shop.runner(e));
    assertThat(r.verdict()).isEqualTo(Verdict.ABORTED);
    assertThat(r.abort()).isNotNull();
    assertThat(r.abort().atMillis()).isEqualTo(5_250);
    assertThat(r.abort().burnRate()).isCloseTo(50, within(2.0));
    assertThat(r.elapsedMillis()).isEqualTo(5_250);
    assertThat(shop.faults.calls).containsExactly("f0 on http-error 100.0% ttl 20000", "f0 off");
    assertThat(shop.faults.active).isEmpty();
    assertThat(rolledBack).containsExactly("at " + Duration.ofMillis(5_250).toNanos());
    assertThat(r.faults())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.fromMillis()).isEqualTo(5_000);
              assertThat(w.toMillis()).isEqualTo(5_250);
            });
    assertThat(r.events()).extracting(ExperimentResult.Event::lane).contains("abort", "rollback");
  }

  /** Wherever the fault starts between ticks, the abort comes after it and within 1 s. */
  @ParameterizedTest
  @ValueSource(ints = {5_000, 5_010, 5_130, 5_240, 5_250, 7_990})
  void detectsABurnWithinOneSecondOfItsStart(int startMillis) {
    Experiment e =
        Experiment.builder("abort-bound")
            .duration(Duration.ofSeconds(20))
            .slo(availability(0.99))
            .abort(new AbortRule(10, Duration.ofMillis(500), 10))
            .step(
                "errors",
                Duration.ofMillis(startMillis),
                Duration.ofSeconds(5),
                StepFault.of("http-error", "http-server")
                    .withParam("status", "503")
                    .withPercent(50))
            .build();
    ExperimentResult r = shop.run(shop.runner(e));
    assertThat(r.verdict()).isEqualTo(Verdict.ABORTED);
    assertThat(r.abort().atMillis())
        .isGreaterThan(startMillis)
        .isLessThanOrEqualTo(startMillis + 1_000);
  }

  @Test
  void aBurnAtOrBelowTheThresholdDoesNotAbort() {
    // 5 % errors against a 1 % budget: burn 5, threshold 10 -> runs to the end and fails
    Experiment e = errors(5, 0.99).abort(new AbortRule(10, Duration.ofMillis(500), 10)).build();
    ExperimentResult r = shop.run(shop.runner(e));
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.abort()).isNull();
    assertThat(r.elapsedMillis()).isEqualTo(30_000);
  }

  @Test
  void refusesToStartBelowTheBudgetFloorAndInjectsNothing() {
    Experiment e = errors(30, 0.9).budgetFloor(0.25).build();
    ExperimentResult r = shop.run(shop.runner(e).budget(slo -> 0.1));
    assertThat(r.verdict()).isEqualTo(Verdict.REFUSED);
    assertThat(r.reason()).contains("checkout", "0.1", "0.25");
    assertThat(shop.faults.calls).isEmpty();

    ExperimentResult atFloor = shop.run(shop.runner(e).budget(slo -> 0.25));
    assertThat(atFloor.verdict()).isNotEqualTo(Verdict.REFUSED);
    assertThat(atFloor.budgets().get(0).remainingBefore()).isEqualTo(0.25);
  }

  @Test
  void theFloorIsReadFromTheLongRetentionStoreRefusingBelowItAndStartingAboveIt() {
    VirtualClock clock = new VirtualClock();
    TimeSeriesStore longTerm =
        TimeSeriesStore.builder()
            .clock(clock)
            .resolution(Duration.ofMinutes(1))
            .retention(Duration.ofDays(31))
            .build();
    SeriesKey ok =
        SeriesKey.of(
            "bulwark_endpoint_requests_total", "endpoint", "checkout", "outcome", "success");
    SeriesKey bad =
        SeriesKey.of("bulwark_endpoint_requests_total", "endpoint", "checkout", "outcome", "error");
    longTerm.record(ok, 0);
    longTerm.record(bad, 0);
    clock.advance(Duration.ofDays(10));
    // 50 bad of 1,000 against a 90 % objective (100 bad allowed): half the budget left
    longTerm.record(ok, 950);
    longTerm.record(bad, 50);
    Experiment e = errors(30, 0.9).budgetFloor(0.25).build();

    ExperimentResult above = shop.run(shop.runner(e).budget(BudgetSource.of(longTerm)));
    assertThat(above.verdict()).isNotEqualTo(Verdict.REFUSED);
    assertThat(above.budgets().get(0).remainingBefore()).isCloseTo(0.5, within(1e-9));
    assertThat(shop.faults.calls).isNotEmpty();
    shop.faults.calls.clear();

    clock.advance(Duration.ofDays(1));
    // 300 bad of 2,000 (200 allowed): the budget is overspent, -0.5 left
    longTerm.record(ok, 1_700);
    longTerm.record(bad, 300);
    ExperimentResult below = shop.run(shop.runner(e).budget(BudgetSource.of(longTerm)));
    assertThat(below.verdict()).isEqualTo(Verdict.REFUSED);
    // -0.5 up to rounding
    assertThat(below.reason()).contains("SLO checkout has -0.", "below the budget-floor 0.25");
    assertThat(shop.faults.calls).isEmpty();
  }

  @Test
  void aYamlExperimentsHttpRollbackIsCalledOnceAfterItsFaultsWereCleared() {
    List<String> faultCallsAtRollback = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger rollbacks =
        new java.util.concurrent.atomic.AtomicInteger();
    BulwarkServer admin =
        BulwarkServer.builder()
            .eventLoops(1)
            .config(ServerConfig.builder().service("admin").instance("admin-1").build())
            .delete(
                "/chaos/faults",
                r -> {
                  rollbacks.incrementAndGet();
                  faultCallsAtRollback.addAll(List.copyOf(shop.faults.calls));
                  return Response.json(java.util.Map.of("cleared", 0));
                })
            .build()
            .start();
    try {
      String yaml =
          """
          name: checkout-errors
          seed: 7
          duration: 30s
          steady-state:
            slos:
              checkout: {availability: endpoint, target: checkout, objective: 0.9}
          method:
            errors:
              at: 5s
              duration: 20s
              fault: {type: http-error, status: 503}
              radius: {points: [http-server], percent: 10}
          rollbacks:
            reset: {method: DELETE, url: "http://127.0.0.1:%d/chaos/faults"}
            missing: {method: DELETE, url: "http://127.0.0.1:%d/no/such/route"}
          """
              .formatted(admin.port(), admin.port());
      Experiment e = ExperimentYaml.parse(yaml, "rollback.yaml");
      ExperimentResult r = shop.run(shop.runner(e));
      assertThat(rollbacks).hasValue(1);
      // the rollback ran at the run's end, after the step's fault (5 s to 25 s) had ended
      assertThat(faultCallsAtRollback).containsExactly("f0 on http-error 10.0% ttl 20000");
      List<ExperimentResult.Event> done =
          r.events().stream().filter(ev -> ev.lane().equals("rollback")).toList();
      assertThat(done)
          .extracting(ExperimentResult.Event::text)
          .containsExactly("reset: done", "missing: failed: HTTP 404");
      assertThat(done).allSatisfy(ev -> assertThat(ev.atMillis()).isGreaterThanOrEqualTo(30_000));
    } finally {
      admin.shutdown();
    }
  }

  @Test
  void aFloorWithoutABudgetSourceRefuses() {
    ExperimentResult r = shop.run(shop.runner(errors(30, 0.9).budgetFloor(0.1).build()));
    assertThat(r.verdict()).isEqualTo(Verdict.REFUSED);
    assertThat(r.reason()).contains("no budget source");
  }

  @Test
  void aRampGrowsTheShareStageByStageReplacingThePreviousFault() {
    Experiment e =
        Experiment.builder("ramp")
            .duration(Duration.ofSeconds(20))
            .slo(availability(0.5))
            .abort(new AbortRule(1_000, Duration.ofMillis(500), 10))
            .step(
                "grow",
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                StepFault.of("http-error", "http-server").withParam("status", "503"),
                new Ramp(10, 15, Duration.ofSeconds(3), 40))
            .build();
    ExperimentResult r = shop.run(shop.runner(e));
    assertThat(shop.faults.calls)
        .containsExactly(
            "f0 on http-error 10.0% ttl 3000",
            "f0 off",
            "f1 on http-error 25.0% ttl 3000",
            "f1 off",
            "f2 on http-error 40.0% ttl 4000");
    assertThat(r.faults())
        .extracting(
            ExperimentResult.FaultWindow::fromMillis, ExperimentResult.FaultWindow::toMillis)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2_000L, 5_000L),
            org.assertj.core.groups.Tuple.tuple(5_000L, 8_000L),
            org.assertj.core.groups.Tuple.tuple(8_000L, 12_000L));
    // per-tick error ratios follow the stages: about 0 before, 10 %, 25 %, 40 %, 0 after
    assertThat(ratioBetween(r, 500, 2_000)).isEqualTo(0);
    assertThat(ratioBetween(r, 2_500, 5_000)).isCloseTo(0.10, within(0.03));
    assertThat(ratioBetween(r, 5_500, 8_000)).isCloseTo(0.25, within(0.03));
    assertThat(ratioBetween(r, 8_500, 12_000)).isCloseTo(0.40, within(0.03));
    assertThat(ratioBetween(r, 12_500, 20_000)).isEqualTo(0);
  }

  static double ratioBetween(ExperimentResult r, long from, long to) {
    return r.samples().stream()
        .filter(s -> s.atMillis() >= from && s.atMillis() <= to)
        .mapToDouble(ExperimentResult.Sample::errorRatio)
        .average()
        .orElseThrow();
  }

  @Test
  void aRefusedFaultFailsTheRunNamingTheStep() {
    shop.faults.refuse = new IllegalArgumentException("unknown fault type \"eror\"");
    ExperimentResult r = shop.run(shop.runner(errors(30, 0.9).build()));
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.reason()).contains("step errors", "unknown fault type \"eror\"");
    assertThat(r.elapsedMillis()).isEqualTo(5_000);
  }

  @Test
  void noTrafficIsNoEvidenceAndFails() {
    Experiment e =
        Experiment.builder("silent")
            .duration(Duration.ofSeconds(2))
            .slo(Slo.builder("orders").sli(Sli.endpointAvailability("orders")).build())
            .build();
    ExperimentResult r = shop.run(shop.runner(e));
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.check("orders").total()).isZero();
    assertThat(r.check("orders").measured()).isNaN();
  }

  @Test
  void metricChecksReadTheRunsOwnStore() {
    Experiment e =
        errors(10, 0.5)
            .check(
                new MetricCheck(
                    "p99",
                    MetricCheck.Query.HISTOGRAM_QUANTILE,
                    "bulwark_endpoint_duration_seconds",
                    java.util.Map.of("endpoint", "checkout"),
                    0.99,
                    MetricCheck.Comparison.BELOW,
                    0.2))
            .check(
                new MetricCheck(
                    "no-failed-checkouts",
                    MetricCheck.Query.INCREASE,
                    "bulwark_endpoint_requests_total",
                    java.util.Map.of("endpoint", "checkout", "outcome", "error"),
                    0,
                    MetricCheck.Comparison.AT_MOST,
                    0))
            .build();
    ExperimentResult r = shop.run(shop.runner(e));
    assertThat(r.check("p99").passed()).isTrue();
    assertThat(r.check("p99").measured()).isGreaterThan(0).isLessThanOrEqualTo(0.2);
    ExperimentResult.CheckResult failed = r.check("no-failed-checkouts");
    assertThat(failed.passed()).isFalse();
    assertThat(failed.measured())
        .isEqualTo(r.check("checkout").total() - r.check("checkout").good());
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.reason()).startsWith("no-failed-checkouts did not hold");
  }

  @Test
  void theSameSeedGivesTheSameResultFieldByField() {
    ExperimentResult first;
    try (SimulatedShop a = new SimulatedShop()) {
      first = a.run(a.runner(errors(30, 0.9).build()));
    }
    ExperimentResult second;
    try (SimulatedShop b = new SimulatedShop()) {
      second = b.run(b.runner(errors(30, 0.9).build()));
    }
    assertThat(second)
        .usingRecursiveComparison()
        .withComparatorForType(Double::compare, Double.class)
        .isEqualTo(first);
    assertThat(second).isEqualTo(first);
    ExperimentResult other;
    try (SimulatedShop c = new SimulatedShop()) {
      other = c.run(c.runner(errors(30, 0.9).seed(8).build()));
    }
    assertThat(other.check("checkout").good()).isNotEqualTo(first.check("checkout").good());
  }

  @Test
  void watchedStatesBecomeTimelineEvents() {
    String[] state = {"CLOSED"};
    shop.scheduler.schedule(Duration.ofMillis(6_100), () -> state[0] = "OPEN");
    shop.scheduler.schedule(Duration.ofSeconds(9), () -> state[0] = "HALF_OPEN");
    ExperimentResult r =
        shop.run(shop.runner(errors(10, 0.5).build()).watch("payments", () -> state[0]));
    assertThat(r.events())
        .filteredOn(ev -> ev.lane().equals("state:payments"))
        .extracting(ExperimentResult.Event::atMillis, ExperimentResult.Event::text)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0L, "CLOSED"),
            org.assertj.core.groups.Tuple.tuple(6_250L, "OPEN"),
            org.assertj.core.groups.Tuple.tuple(9_000L, "HALF_OPEN"));
  }
}
