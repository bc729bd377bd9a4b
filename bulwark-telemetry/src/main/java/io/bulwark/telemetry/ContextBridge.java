package io.bulwark.telemetry;

import io.bulwark.core.context.Baggage;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts between Bulwark's {@link Context} (bound with a {@code ScopedValue}) and an
 * OpenTelemetry {@link io.opentelemetry.context.Context} value: trace id, span id, sampled flag and
 * baggage. Pure conversions: nothing is made current in OTel's thread-local storage, so nothing can
 * leak from one virtual thread (or pooled carrier) to the next. Code that needs an OTel context for
 * a library call passes {@code toOtel(Context.current())} explicitly, or makes it current inside a
 * try-with-resources scope it closes itself.
 *
 * <p>The W3C {@code tracestate} is carried as the opaque header string Bulwark keeps; it is not
 * parsed into OTel's {@link TraceState} (OTel receives the default empty state).
 */
public final class ContextBridge {
  private ContextBridge() {}

  /** The OTel context that corresponds to {@code context}: a remote parent span and baggage. */
  public static io.opentelemetry.context.Context toOtel(Context context) {
    io.opentelemetry.context.Context otel = io.opentelemetry.context.Context.root();
    TraceContext trace = context.trace();
    if (trace != null) {
      otel = otel.with(Span.wrap(toOtelSpanContext(trace)));
    }
    if (!context.baggage().isEmpty()) {
      BaggageBuilder builder = io.opentelemetry.api.baggage.Baggage.builder();
      context.baggage().asMap().forEach(builder::put);
      otel = otel.with(builder.build());
    }
    return otel;
  }

  /** The remote OTel span context with the ids and flags of {@code trace}. */
  public static SpanContext toOtelSpanContext(TraceContext trace) {
    return SpanContext.createFromRemoteParent(
        trace.traceId(),
        trace.spanId(),
        TraceFlags.fromByte((byte) trace.flags()),
        TraceState.getDefault());
  }

  /**
   * {@code base} with the trace ids and baggage of {@code otel}. The span context, if valid,
   * replaces the trace of {@code base}; OTel baggage entries are added to (and win over) those of
   * {@code base}. Deadline, criticality and correlation id come from {@code base}.
   */
  public static Context fromOtel(io.opentelemetry.context.Context otel, Context base) {
    Context result = base;
    SpanContext span = Span.fromContext(otel).getSpanContext();
    if (span.isValid()) {
      String traceState = base.trace() == null ? null : base.trace().traceState();
      result =
          result.withTrace(
              new TraceContext(
                  span.getTraceId(),
                  span.getSpanId(),
                  span.getTraceFlags().asByte() & 0xff,
                  traceState));
    }
    io.opentelemetry.api.baggage.Baggage otelBaggage =
        io.opentelemetry.api.baggage.Baggage.fromContext(otel);
    if (!otelBaggage.isEmpty()) {
      Map<String, String> merged = new LinkedHashMap<>(base.baggage().asMap());
      otelBaggage.forEach((k, entry) -> merged.put(k, entry.getValue()));
      result = result.withBaggage(Baggage.of(merged));
    }
    return result;
  }
}
