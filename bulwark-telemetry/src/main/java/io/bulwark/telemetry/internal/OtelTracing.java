package io.bulwark.telemetry.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.telemetry.ContextBridge;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry-backed {@link Tracing} of {@code BulwarkTelemetry}: a root span or a child of a
 * sampled parent is started through the SDK's tracer (its sampler decides); a child of a parent
 * that is not sampled, or any span while telemetry is disabled, is sampled out without calling the
 * SDK, with a fresh span id under the parent's trace. Thread-safe.
 */
public final class OtelTracing extends ParentBasedTracing {
  private final Tracer tracer;

  public OtelTracing(Tracer tracer, ActiveSpans active, boolean enabled) {
    super(active, enabled);
    this.tracer = tracer;
  }

  @Override
  TelemetrySpan startMayRecord(
      String name,
      SpanKind kind,
      Context parent,
      @Nullable TraceContext parentTrace,
      @Nullable TraceContext linked) {
    SpanBuilder builder =
        tracer.spanBuilder(name).setParent(ContextBridge.toOtel(parent)).setSpanKind(otel(kind));
    if (linked != null) {
      builder.addLink(ContextBridge.toOtelSpanContext(linked));
    }
    Span span = builder.startSpan();
    SpanContext sc = span.getSpanContext();
    if (!sc.isValid()) {
      // the SDK made no span at all (e.g. a tracer provider without span processors)
      return sampledOut(parent, parentTrace);
    }
    String traceState = parentTrace == null ? null : parentTrace.traceState();
    Context child =
        parent.withTrace(
            new TraceContext(
                sc.getTraceId(), sc.getSpanId(), sc.getTraceFlags().asByte() & 0xff, traceState));
    if (!span.isRecording()) {
      return TelemetrySpan.sampledOut(child);
    }
    return new SpanHandles.Recording(span, child, sc.getSpanId(), active);
  }

  /** The SDK's kind of the same name. */
  static io.opentelemetry.api.trace.SpanKind otel(SpanKind kind) {
    return switch (kind) {
      case INTERNAL -> io.opentelemetry.api.trace.SpanKind.INTERNAL;
      case SERVER -> io.opentelemetry.api.trace.SpanKind.SERVER;
      case CLIENT -> io.opentelemetry.api.trace.SpanKind.CLIENT;
      case PRODUCER -> io.opentelemetry.api.trace.SpanKind.PRODUCER;
      case CONSUMER -> io.opentelemetry.api.trace.SpanKind.CONSUMER;
    };
  }
}
