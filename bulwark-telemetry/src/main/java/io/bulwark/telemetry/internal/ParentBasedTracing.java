package io.bulwark.telemetry.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What both {@link Tracing}s of {@code BulwarkTelemetry} decide alike: a child of a parent that is
 * not sampled, or any span while telemetry is disabled, is sampled out with a fresh span id under
 * the parent's trace, without reaching the subclass; everything else is the subclass's {@link
 * #startMayRecord}. Open spans are counted in {@link ActiveSpans}.
 */
abstract class ParentBasedTracing implements Tracing {
  final ActiveSpans active;
  private final boolean enabled;

  ParentBasedTracing(ActiveSpans active, boolean enabled) {
    this.active = active;
    this.enabled = enabled;
  }

  @Override
  public final TelemetrySpan startSpan(String name, SpanKind kind, Context parent) {
    return start(name, kind, parent, null);
  }

  @Override
  public final TelemetrySpan startSpan(
      String name, SpanKind kind, Context parent, TraceContext linked) {
    return start(name, kind, parent, Objects.requireNonNull(linked, "linked"));
  }

  private TelemetrySpan start(
      String name, SpanKind kind, Context parent, @Nullable TraceContext linked) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    TraceContext parentTrace = parent.trace();
    if (!enabled || (parentTrace != null && !parentTrace.isSampled())) {
      return sampledOut(parent, parentTrace);
    }
    return startMayRecord(name, kind, parent, parentTrace, linked);
  }

  /** A span whose parent is sampled or absent, telemetry enabled: the subclass's sampling. */
  abstract TelemetrySpan startMayRecord(
      String name,
      SpanKind kind,
      Context parent,
      @Nullable TraceContext parentTrace,
      @Nullable TraceContext linked);

  @Override
  public final boolean mayRecord(Context parent) {
    TraceContext parentTrace = parent.trace();
    return enabled && (parentTrace == null || parentTrace.isSampled());
  }

  @Override
  public final int openSpans() {
    return active.size();
  }

  /** The span of work that is not recorded: the parent's trace with a new span id, if any. */
  static TelemetrySpan sampledOut(Context parent, @Nullable TraceContext parentTrace) {
    return TelemetrySpan.sampledOut(
        parent, parentTrace == null ? null : parentTrace.newChildSpan());
  }
}
