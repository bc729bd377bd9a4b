package io.bulwark.bench.http;

import io.bulwark.bench.CountingSpanExporter;
import io.bulwark.telemetry.BulwarkTelemetry;

/**
 * The telemetry the HTTP benchmarks run Bulwark with, as a user who traces would configure it: a
 * real {@link BulwarkTelemetry} whose tracer samples 10 % of root spans (parent-based, trace-id
 * ratio), the sampled spans batch-exported (Bulwark's own span batcher, {@code addSpanExporter}) to
 * an exporter that only counts them. The count is the check that tracing really ran: about one
 * request in ten must come out as an exported span.
 */
public final class TracedTelemetry implements AutoCloseable {
  /** The fraction of root spans sampled. */
  public static final double SAMPLING_RATIO = 0.10;

  private final CountingSpanExporter exporter = new CountingSpanExporter();
  private final BulwarkTelemetry telemetry;

  public TracedTelemetry() {
    this.telemetry =
        BulwarkTelemetry.builder()
            .serviceName("bench")
            .samplingRatio(SAMPLING_RATIO)
            .addSpanExporter(exporter)
            .build();
  }

  /** The telemetry to give the server (or client) under test. */
  public BulwarkTelemetry telemetry() {
    return telemetry;
  }

  /** Spans exported so far, after a flush of what is still batched. */
  public long exportedSpans() {
    telemetry.flush(5_000);
    return exporter.spans();
  }

  /** One line for a suite's output: what tracing ran and what it exported. */
  public String describe(long requests) {
    long spans = exportedSpans();
    return String.format(
        java.util.Locale.ROOT,
        "tracing on, sampled at %.0f %% of root spans: %d spans exported for %d requests (%.1f %%)",
        SAMPLING_RATIO * 100,
        spans,
        requests,
        requests == 0 ? 0.0 : 100.0 * spans / requests);
  }

  @Override
  public void close() {
    telemetry.close();
  }
}
