package io.bulwark.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.telemetry.internal.ActiveSpans;
import io.bulwark.telemetry.internal.SpanHandles;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * Starts spans whose parent is a Bulwark {@link Context} and whose result is a Bulwark context, so
 * trace ids travel with the {@code ScopedValue} context (across virtual-thread hops through {@link
 * Context#wrap}) and never through OTel's thread-local storage.
 *
 * <p>Every span has its own span id, recorded or not: a child of a parent that is not sampled, or
 * any span of {@link #disabled() disabled} tracing, is a sampled-out span with the parent's trace
 * id and flags and a fresh span id, made without calling the OTel SDK. So each hop sends its own
 * span id downstream (W3C parent/child semantics on the wire) even when nothing is exported. A root
 * span (no parent trace) is sampled by the SDK's sampler; with tracing disabled it stays without a
 * trace (a hop that records nothing does not invent a trace; the next hop that records starts it).
 * Thread-safe.
 */
public final class Tracing {
  private final Tracer tracer;
  private final ActiveSpans active;
  private final boolean enabled;

  private static final Tracing DISABLED =
      new Tracing(TracerProvider.noop().get("io.bulwark.telemetry"), new ActiveSpans(), false);

  Tracing(Tracer tracer, ActiveSpans active, boolean enabled) {
    this.tracer = tracer;
    this.active = active;
    this.enabled = enabled;
  }

  /**
   * Tracing that records nothing but still gives every span a fresh span id under its parent's
   * trace: what components use when no telemetry is configured.
   */
  public static Tracing disabled() {
    return DISABLED;
  }

  /** Starts an internal span under the current context. */
  public TelemetrySpan startSpan(String name) {
    return startSpan(name, SpanKind.INTERNAL, Context.current());
  }

  /** Starts a span of {@code kind} under {@code parent}. */
  public TelemetrySpan startSpan(String name, SpanKind kind, Context parent) {
    return start(name, kind, parent, null);
  }

  /**
   * Starts a span of {@code kind} under {@code parent} with a link to {@code linked}, a span of
   * another request or trace that caused this one (e.g. the producer of a consumed record).
   */
  public TelemetrySpan startSpan(String name, SpanKind kind, Context parent, TraceContext linked) {
    return start(name, kind, parent, Objects.requireNonNull(linked, "linked"));
  }

  private TelemetrySpan start(
      String name, SpanKind kind, Context parent, @Nullable TraceContext linked) {
    Objects.requireNonNull(name, "name");
    TraceContext parentTrace = parent.trace();
    if (!enabled || (parentTrace != null && !parentTrace.isSampled())) {
      return sampledOut(parent, parentTrace);
    }
    SpanBuilder builder =
        tracer.spanBuilder(name).setParent(ContextBridge.toOtel(parent)).setSpanKind(kind);
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
      return new SpanHandles.SampledOut(child);
    }
    return new SpanHandles.Recording(span, child, sc.getSpanId(), active);
  }

  /**
   * False when a span under {@code parent} is certain not to record, so that a caller can skip
   * building its name and attributes.
   */
  boolean mayRecord(Context parent) {
    TraceContext parentTrace = parent.trace();
    return enabled && (parentTrace == null || parentTrace.isSampled());
  }

  private static TelemetrySpan sampledOut(Context parent, @Nullable TraceContext parentTrace) {
    return new SpanHandles.SampledOut(
        parentTrace == null ? parent : parent.withTrace(parentTrace.newChildSpan()));
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
