package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.telemetry.Tracing;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The adapter against the kernel's recording API alone: no telemetry implementation, no SDK. */
class ResilienceTelemetryTest {

  /** A telemetry that writes down every call it gets. */
  static final class RecordingTelemetry implements Telemetry, Decisions {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> dependencyLookups = new CopyOnWriteArrayList<>();

    @Override
    public RedRecorder endpoint(String name) {
      throw new AssertionError("a pipeline is a dependency, not an endpoint: " + name);
    }

    @Override
    public RedRecorder dependency(String name) {
      dependencyLookups.add(name);
      return new RedRecorder() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public void record(Outcome outcome, long durationNanos) {
          calls.add(name + " " + outcome.label() + " " + durationNanos);
        }
      };
    }

    @Override
    public Decisions decisions() {
      return this;
    }

    @Override
    public Tracing tracing() {
      return Tracing.disabled();
    }

    @Override
    public void record(String component, String decision, String reason) {
      calls.add(component + " " + decision + ": " + reason);
    }

    @Override
    public void circuitTransition(String breaker, String from, String to, String reason) {
      calls.add(breaker + " " + from + " -> " + to + ": " + reason);
    }

    @Override
    public void retry(String policy, int attempt, Duration backoff, @Nullable Throwable cause) {
      calls.add(policy + " retry " + attempt + " after " + backoff + " (" + cause + ")");
    }

    @Override
    public void shed(String component, String reason) {
      calls.add(component + " shed: " + reason);
    }

    @Override
    public void faultInjected(String experiment, String fault) {
      calls.add(experiment + " fault: " + fault);
    }
  }

  @Test
  void everyCallIsOneRequestOfThePipelinesSeriesWithTheCoreOutcome() throws Exception {
    RecordingTelemetry telemetry = new RecordingTelemetry();
    ResilienceTelemetry listener = ResilienceTelemetry.of(telemetry);

    listener.onCallEnded("payments", 10, null);
    listener.onCallEnded("payments", 20, new TimeoutExceededException("payments-timeout", 5));
    listener.onCallEnded(
        "payments", 30, new CompletionException(new DeadlineExceededException("x")));
    listener.onCallEnded("payments", 40, new IOException("reset"));
    listener.onCallEnded("search", 50, null);

    assertThat(telemetry.calls)
        .containsExactly(
            "payments success 10",
            "payments timeout 20",
            "payments timeout 30",
            "payments error 40",
            "search success 50");
    // the recorder is looked up once per pipeline and kept
    assertThat(telemetry.dependencyLookups).containsExactly("payments", "search");
  }

  @Test
  void aPipelineReportsItsCallsThroughTheListener() throws Exception {
    RecordingTelemetry telemetry = new RecordingTelemetry();
    Pipeline pipeline =
        Pipeline.builder().name("inventory").listener(ResilienceTelemetry.of(telemetry)).build();

    assertThat(pipeline.get(() -> "ok")).isEqualTo("ok");
    IOException failure = new IOException("reset");
    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);

    assertThat(telemetry.calls)
        .hasSize(2)
        .satisfiesExactly(
            first -> assertThat(first).startsWith("inventory success "),
            second -> assertThat(second).startsWith("inventory error "));
  }

  @Test
  void decisionsCarryTheirReasons() {
    RecordingTelemetry telemetry = new RecordingTelemetry();
    ResilienceTelemetry listener = ResilienceTelemetry.of(telemetry);
    IOException reset = new IOException("reset");

    listener.onRejected("bulkhead", Rejection.BULKHEAD_FULL);
    listener.onRetry("retry", 2, 50_000_000L, reset);
    listener.onRetryGivenUp("retry", 3, "attempts exhausted", reset);
    listener.onTimeout("timeout", 250_000_000L);
    listener.onFallback("fallback", reset);
    listener.onHedge("hedge", 2);
    listener.onLimitChanged("limiter", 10, 12);
    listener.onLimitChanged("limiter", 12, 9);

    assertThat(telemetry.calls)
        .containsExactly(
            "bulkhead shed: " + "bulkhead_full",
            "retry retry 2 after PT0.05S (java.io.IOException: reset)",
            "retry retry_given_up: attempts exhausted after 3 attempts",
            "timeout timeout: no answer within PT0.25S",
            "fallback fallback: IOException",
            "hedge hedge: backup attempt 2",
            "limiter limit_raised: 10 -> 12",
            "limiter limit_lowered: 12 -> 9");
  }
}
