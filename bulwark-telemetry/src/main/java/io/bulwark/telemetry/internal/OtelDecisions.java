package io.bulwark.telemetry.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.Decisions;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry-backed {@link Decisions} of {@code BulwarkTelemetry}: each decision increments
 * {@code bulwark_decisions_total{component,decision}} and, when the current request is traced and
 * sampled, becomes a span event {@value Decisions#EVENT_NAME} on its open span.
 *
 * <p>Fast and never throws. When the current context is not sampled no attributes are built; the
 * cost is one counter increment (two map reads). Names are bounded by the cardinality guard.
 */
public final class OtelDecisions implements Decisions {
  static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("bulwark.component");
  static final AttributeKey<String> DECISION = AttributeKey.stringKey("bulwark.decision");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("bulwark.reason");

  private final TelemetryState state;
  private final ActiveSpans active;
  private final boolean enabled;

  public OtelDecisions(TelemetryState state, ActiveSpans active, boolean enabled) {
    this.state = state;
    this.active = active;
    this.enabled = enabled;
  }

  @Override
  public void record(String component, String decision, String reason) {
    record(component, decision, reason, Attributes.empty());
  }

  @Override
  public void circuitTransition(String breaker, String from, String to, String reason) {
    record(
        breaker,
        "circuit_" + to,
        reason,
        Attributes.of(
            AttributeKey.stringKey("bulwark.circuit.from"),
            from,
            AttributeKey.stringKey("bulwark.circuit.to"),
            to));
  }

  @Override
  public void retry(String policy, int attempt, Duration backoff, @Nullable Throwable cause) {
    record(
        policy,
        "retry",
        cause == null ? "retry" : cause.getClass().getSimpleName(),
        Attributes.of(
            AttributeKey.longKey("bulwark.retry.attempt"),
            (long) attempt,
            AttributeKey.longKey("bulwark.retry.backoff_ms"),
            backoff.toMillis()));
  }

  @Override
  public void shed(String component, String reason) {
    record(
        component,
        "shed",
        reason,
        Attributes.of(
            AttributeKey.stringKey("bulwark.criticality"), Context.current().criticality().name()));
  }

  @Override
  public void faultInjected(String experiment, String fault) {
    record(experiment, "fault_injected", fault, Attributes.empty());
  }

  private void record(String component, String decision, String reason, Attributes extra) {
    if (!enabled) {
      return;
    }
    try {
      state.countDecision(component, decision);
      TraceContext trace = Context.current().trace();
      if (trace == null || !trace.isSampled()) {
        return;
      }
      ActiveSpans.OpenSpan span = active.get(trace.spanIdBits());
      if (span == null) {
        return;
      }
      AttributesBuilder attributes =
          extra.toBuilder().put(COMPONENT, component).put(DECISION, decision).put(REASON, reason);
      span.addEvent(Decisions.EVENT_NAME, attributes.build());
    } catch (RuntimeException e) {
      // Contract: telemetry never breaks the caller.
    }
  }
}
