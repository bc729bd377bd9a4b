package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.Pipeline;
import io.bulwark.resilience.PolicyRejectedException;
import io.bulwark.resilience.ResilienceTelemetry;
import io.bulwark.resilience.TimeoutExceededException;
import io.bulwark.test.VirtualScheduler;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;

class ResilienceTelemetryTest {

  @Test
  void pipelineCallsBecomeRedRequestsAndTheBreakerOpeningADecision() throws Exception {
    VirtualScheduler scheduler = new VirtualScheduler();
    try (BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build()) {
      CircuitBreaker breaker =
          CircuitBreaker.of(
              "payments-cb",
              CircuitBreaker.builder()
                  .countBasedWindow(4)
                  .minimumCalls(4)
                  .failureRateThreshold(50)
                  .build(),
              scheduler);
      Pipeline pipeline =
          Pipeline.builder()
              .name("payments")
              .with(breaker)
              .clock(scheduler.clock())
              .listener(ResilienceTelemetry.of(telemetry))
              .build();

      pipeline.get(() -> "ok");
      pipeline.get(() -> "ok");
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(
                () ->
                    pipeline.call(
                        () -> {
                          throw new IOException("connection reset");
                        }))
            .isInstanceOf(IOException.class);
      }
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      assertThatThrownBy(() -> pipeline.get(() -> "never runs"))
          .isInstanceOf(PolicyRejectedException.class);

      RedSnapshot red = telemetry.redSnapshots("dependency").getFirst();
      assertThat(red.name()).isEqualTo("payments");
      assertThat(red.count(Outcome.SUCCESS)).isEqualTo(2);
      assertThat(red.count(Outcome.ERROR)).isEqualTo(2);
      assertThat(red.count(Outcome.REJECTED)).isEqualTo(1);

      Map<String, Double> decisions = decisionCounts(telemetry.scrapePrometheus(), "payments-cb");
      assertThat(decisions).containsEntry("circuit_open", 1.0).containsEntry("shed", 1.0);
    }
  }

  @Test
  void everyListenerEventIsCountedAsADecision() throws Exception {
    try (BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build()) {
      ResilienceTelemetry listener = ResilienceTelemetry.of(telemetry);
      listener.onRetry("retry", 2, 50_000_000L, new IOException("reset"));
      listener.onRetryGivenUp("retry", 3, "attempts exhausted", new IOException("reset"));
      listener.onTimeout("timeout", 250_000_000L);
      listener.onFallback("fallback", new IOException("reset"));
      listener.onHedge("hedge", 2);
      listener.onLimitChanged("limiter", 10, 12);
      listener.onLimitChanged("limiter", 12, 9);

      String text = telemetry.scrapePrometheus();
      assertThat(decisionCounts(text, "retry"))
          .containsEntry("retry", 1.0)
          .containsEntry("retry_given_up", 1.0);
      assertThat(decisionCounts(text, "timeout")).containsEntry("timeout", 1.0);
      assertThat(decisionCounts(text, "fallback")).containsEntry("fallback", 1.0);
      assertThat(decisionCounts(text, "hedge")).containsEntry("hedge", 1.0);
      assertThat(decisionCounts(text, "limiter"))
          .containsEntry("limit_raised", 1.0)
          .containsEntry("limit_lowered", 1.0);
    }
  }

  @Test
  void failuresOfCallsAreCountedByTheCoreOutcomeRule() throws Exception {
    try (BulwarkTelemetry telemetry = BulwarkTelemetry.builder().build()) {
      Pipeline pipeline =
          Pipeline.builder().name("inventory").listener(ResilienceTelemetry.of(telemetry)).build();
      failWith(pipeline, new TimeoutExceededException("inventory-timeout", 1_000_000L));
      failWith(pipeline, new CompletionException(new DeadlineExceededException("late")));
      failWith(pipeline, new IOException("reset"));

      RedSnapshot red = telemetry.redSnapshots("dependency").getFirst();
      assertThat(red.name()).isEqualTo("inventory");
      assertThat(red.count(Outcome.TIMEOUT)).isEqualTo(2);
      assertThat(red.count(Outcome.ERROR)).isEqualTo(1);
      assertThat(red.count(Outcome.SUCCESS)).isZero();
    }
  }

  private static void failWith(Pipeline pipeline, Exception failure) {
    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
  }

  private static Map<String, Double> decisionCounts(String prometheusText, String component)
      throws Exception {
    List<MetricFamily> families = RedMetricsPrometheusTest.parse(prometheusText);
    return RedMetricsPrometheusTest.family(families, "bulwark_decisions_total")
        .getMetrics()
        .stream()
        .map(Counter.class::cast)
        .filter(c -> component.equals(c.getLabels().get("component")))
        .collect(Collectors.toMap(c -> c.getLabels().get("decision"), Counter::getValue));
  }
}
