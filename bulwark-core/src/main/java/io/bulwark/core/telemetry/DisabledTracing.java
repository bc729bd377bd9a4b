package io.bulwark.core.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import java.util.Objects;

/**
 * {@link Tracing#disabled()}: every span is sampled out, with a fresh span id under the parent's
 * trace, or under no trace when the parent has none. Stateless.
 */
final class DisabledTracing implements Tracing {
  static final DisabledTracing INSTANCE = new DisabledTracing();

  private DisabledTracing() {}

  @Override
  public TelemetrySpan startSpan(String name, SpanKind kind, Context parent) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    TraceContext trace = parent.trace();
    return new SampledOutSpan(parent, trace == null ? null : trace.newChildSpan());
  }

  @Override
  public TelemetrySpan startSpan(String name, SpanKind kind, Context parent, TraceContext linked) {
    Objects.requireNonNull(linked, "linked");
    return startSpan(name, kind, parent);
  }

  @Override
  public boolean mayRecord(Context parent) {
    return false;
  }

  @Override
  public int openSpans() {
    return 0;
  }
}
