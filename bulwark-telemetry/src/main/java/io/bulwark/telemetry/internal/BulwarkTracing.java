package io.bulwark.telemetry.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Tracing} of {@code BulwarkTelemetry} that records spans itself ({@link RecordedSpan})
 * instead of through the SDK's tracer. Sampling is the SDK's {@code
 * ParentBased(TraceIdRatioBased(ratio))}, computed the same way: a child of a sampled parent is
 * recorded, a child of a parent that is not sampled (or any span while telemetry is disabled) is
 * sampled out with a fresh span id under the parent's trace, and a root is recorded when the
 * absolute value of the low 64 bits of its new trace id is below {@code ratio × Long.MAX_VALUE} (0
 * never, 1 always). Ids come from {@link ThreadLocalRandom} (per thread, virtual threads included;
 * no thread-local state of ours), never zero. Thread-safe.
 */
public final class BulwarkTracing extends ParentBasedTracing {
  private final SpanPipeline pipeline;
  private final long rootIdBound;

  public BulwarkTracing(
      SpanPipeline pipeline, ActiveSpans active, double samplingRatio, boolean enabled) {
    super(active, enabled);
    this.pipeline = pipeline;
    this.rootIdBound = idUpperBound(samplingRatio);
  }

  @Override
  TelemetrySpan startMayRecord(
      String name,
      SpanKind kind,
      Context parent,
      @Nullable TraceContext parentTrace,
      @Nullable TraceContext linked) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long spanId = nonZero(random);
    if (parentTrace != null) {
      return new RecordedSpan(
          pipeline,
          name,
          kind,
          parent,
          linked,
          parentTrace.traceIdHigh(),
          parentTrace.traceIdLow(),
          spanId);
    }
    long high = random.nextLong();
    long low = nonZero(random);
    if (!sampledRoot(low)) {
      return TelemetrySpan.sampledOut(parent, TraceContext.of(high, low, spanId, 0));
    }
    return new RecordedSpan(pipeline, name, kind, parent, linked, high, low, spanId);
  }

  /** The SDK's TraceIdRatioBased decision on the random low half of a trace id. */
  boolean sampledRoot(long traceIdLow) {
    return Math.abs(traceIdLow) < rootIdBound;
  }

  static long idUpperBound(double ratio) {
    if (ratio == 0.0) {
      return Long.MIN_VALUE;
    }
    if (ratio == 1.0) {
      return Long.MAX_VALUE;
    }
    return (long) (ratio * Long.MAX_VALUE);
  }

  private static long nonZero(ThreadLocalRandom random) {
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return id;
  }
}
