package io.bulwark.core.telemetry;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** {@link Telemetry#noop()}: checks names like any telemetry, then records nothing. Stateless. */
final class NoopTelemetry implements Telemetry {
  static final NoopTelemetry INSTANCE = new NoopTelemetry();
  static final Decisions DECISIONS = new NoopDecisions();

  private NoopTelemetry() {}

  @Override
  public RedRecorder endpoint(String name) {
    return new NoopRecorder(Telemetry.checkName("endpoint", name));
  }

  @Override
  public RedRecorder dependency(String name) {
    return new NoopRecorder(Telemetry.checkName("dependency", name));
  }

  @Override
  public Decisions decisions() {
    return DECISIONS;
  }

  @Override
  public Tracing tracing() {
    return Tracing.disabled();
  }

  private record NoopRecorder(String name) implements RedRecorder {
    @Override
    public void record(Outcome outcome, long durationNanos) {}
  }

  private static final class NoopDecisions implements Decisions {
    @Override
    public void record(String component, String decision, String reason) {}

    @Override
    public void circuitTransition(String breaker, String from, String to, String reason) {}

    @Override
    public void retry(String policy, int attempt, Duration backoff, @Nullable Throwable cause) {}

    @Override
    public void shed(String component, String reason) {}

    @Override
    public void faultInjected(String experiment, String fault) {}
  }
}
