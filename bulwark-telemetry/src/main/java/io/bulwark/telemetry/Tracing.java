package io.bulwark.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.telemetry.internal.ActiveSpans;
import io.bulwark.telemetry.internal.SpanHandles;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Starts spans whose parent is a Bulwark {@link Context} and whose result is a Bulwark context, so
 * trace ids travel with the {@code ScopedValue} context (across virtual-thread hops through {@link
 * Context#wrap}) and never through OTel's thread-local storage.
 *
 * <p>Sampling: a parent that is not sampled yields a sampled-out span at once, without calling the
 * OTel SDK (the child keeps the parent's ids, as W3C allows for a non-recording hop). Root spans
 * (no parent trace) are sampled by the SDK's sampler. Thread-safe.
 */
public final class Tracing {
  private final Tracer tracer;
  private final ActiveSpans active;
  private final boolean enabled;

  Tracing(Tracer tracer, ActiveSpans active, boolean enabled) {
    this.tracer = tracer;
    this.active = active;
    this.enabled = enabled;
  }

  /** Starts an internal span under the current context. */
  public TelemetrySpan startSpan(String name) {
    return startSpan(name, SpanKind.INTERNAL, Context.current());
  }

  /** Starts a span of {@code kind} under {@code parent}. */
  public TelemetrySpan startSpan(String name, SpanKind kind, Context parent) {
    TraceContext parentTrace = parent.trace();
    if (!enabled || (parentTrace != null && !parentTrace.isSampled())) {
      return new SpanHandles.SampledOut(parent);
    }
    Span span =
        tracer
            .spanBuilder(Objects.requireNonNull(name, "name"))
            .setParent(ContextBridge.toOtel(parent))
            .setSpanKind(kind)
            .startSpan();
    SpanContext sc = span.getSpanContext();
    String traceState = parentTrace == null ? null : parentTrace.traceState();
    Context child =
        parent.withTrace(
            new TraceContext(
                sc.getTraceId(), sc.getSpanId(), sc.getTraceFlags().asByte() & 0xff, traceState));
    if (!span.isRecording()) {
      return new SpanHandles.SampledOut(child);
    }
    return new SpanHandles.Recording(span, child, sc.getSpanId(), active);
  }

  /**
   * Runs {@code work} in a new internal span bound as the current context; the span ends when the
   * work returns or throws (and is marked failed if it throws).
   */
  public <T> T inSpan(String name, Callable<T> work) throws Exception {
    try (TelemetrySpan span = startSpan(name)) {
      try {
        return span.context().call(work);
      } catch (Exception | Error e) {
        span.fail(e);
        throw e;
      }
    }
  }

  /** Recording spans that are open now (for leak checks in tests and the dashboard). */
  public int openSpans() {
    return active.size();
  }
}
