package io.bulwark.chaos.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.bulwark.chaos.experiment.Experiment;
import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.experiment.MetricCheck;
import io.bulwark.chaos.experiment.SimulatedShop;
import io.bulwark.chaos.experiment.StepFault;
import io.bulwark.chaos.report.ExperimentReport;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link Sample}'s {@code @ChaosExperiment} tests through the JUnit launcher, as a build
 * would: the seed comes from the annotation, the verdict decides the test, the same seed gives the
 * same result launch after launch, and the reports are written whether the test passed or failed.
 */
class ChaosExtensionTest {

  static TestExecutionSummary launch(String method) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(Sample.class, method, ChaosLab.class.getName()))
                .build(),
            listener);
    return listener.getSummary();
  }

  @Test
  void aHeldHypothesisPassesAndTheSameSeedGivesTheSameResultEveryLaunch() throws Exception {
    Sample.RESULTS.clear();
    TestExecutionSummary first = launch("checkoutHoldsUnderTenPercentErrors");
    TestExecutionSummary second = launch("checkoutHoldsUnderTenPercentErrors");
    assertThat(first.getTestsSucceededCount()).isEqualTo(1);
    assertThat(second.getTestsSucceededCount()).isEqualTo(1);
    assertThat(Sample.RESULTS).hasSize(2);
    ExperimentResult a = Sample.RESULTS.get(0);
    ExperimentResult b = Sample.RESULTS.get(1);
    assertThat(a.seed()).isEqualTo(42);
    assertThat(b)
        .usingRecursiveComparison()
        .withComparatorForType(Double::compare, Double.class)
        .isEqualTo(a);
    assertThat(b).isEqualTo(a);
    Path json = Path.of("target/chaos-reports/junit-held.json");
    assertThat(ExperimentReport.readJson(Files.readString(json))).isEqualTo(b);
    assertThat(Path.of("target/chaos-reports/junit-held.html")).isRegularFile();
  }

  @Test
  void aFailedHypothesisFailsTheTestWithItsReasonAndStillWritesTheReport() throws Exception {
    Files.deleteIfExists(Path.of("target/chaos-reports/junit-failed.html"));
    TestExecutionSummary s = launch("checkoutFailsUnderThirtyPercentErrors");
    assertThat(s.getTestsFailedCount()).isEqualTo(1);
    assertThat(s.getFailures().get(0).getException())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("junit-failed FAILED: checkout did not hold");
    assertThat(Path.of("target/chaos-reports/junit-failed.html")).isRegularFile();
  }

  @Test
  void aChaosLabOutsideAChaosExperimentIsRefused() {
    TestExecutionSummary s = launch("notAnnotated");
    assertThat(s.getTestsFailedCount()).isEqualTo(1);
    assertThat(s.getFailures().get(0).getException())
        .hasMessageContaining("needs a method annotated @ChaosExperiment");
  }

  /**
   * Run only through {@link #launch}; surefire skips nested classes. The class-level extension lets
   * {@code notAnnotated} reach the resolver (the annotation registers it only once).
   */
  @org.junit.jupiter.api.extension.ExtendWith(ChaosExtension.class)
  static class Sample {
    static final List<ExperimentResult> RESULTS = new CopyOnWriteArrayList<>();

    static Experiment experiment(String name, double percent) {
      return Experiment.builder(name)
          .duration(Duration.ofSeconds(10))
          .slo(
              Slo.builder("checkout")
                  .sli(Sli.endpointAvailability("checkout"))
                  .objective(0.8)
                  .build())
          .check(
              new MetricCheck(
                  "p99",
                  MetricCheck.Query.HISTOGRAM_QUANTILE,
                  "bulwark_endpoint_duration_seconds",
                  Map.of("endpoint", "checkout"),
                  0.99,
                  MetricCheck.Comparison.BELOW,
                  0.2))
          .abort(new io.bulwark.chaos.experiment.AbortRule(1_000, Duration.ofMillis(500), 10))
          .step(
              "errors",
              Duration.ofSeconds(2),
              Duration.ofSeconds(8),
              StepFault.of("http-error", "http-server")
                  .withParam("status", "503")
                  .withPercent(percent))
          .build();
    }

    @ChaosExperiment(seed = 42)
    void checkoutHoldsUnderTenPercentErrors(ChaosLab lab) {
      try (SimulatedShop shop = new SimulatedShop()) {
        Experiment e = experiment("junit-held", 10);
        ExperimentResult r = lab.run(e, shop.runner(e), shop::advance);
        lab.assertHeld(r);
        assertThat(r.check("p99").measured()).isLessThan(0.2); // p99 < 200 ms
        assertThat(r.seed()).isEqualTo(lab.seed());
        RESULTS.add(r);
      }
    }

    @ChaosExperiment(seed = 42)
    void checkoutFailsUnderThirtyPercentErrors(ChaosLab lab) {
      try (SimulatedShop shop = new SimulatedShop()) {
        Experiment e = experiment("junit-failed", 30);
        lab.assertHeld(lab.run(e, shop.runner(e), shop::advance));
      }
    }

    @Test
    void notAnnotated(ChaosLab lab) {
      lab.seed();
    }
  }
}
