package io.bulwark.bench;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/**
 * The no-op span exporter of the benchmarks: keeps nothing, counts the spans handed to it, so a
 * benchmark can check that tracing really ran.
 */
public final class CountingSpanExporter implements SpanExporter {
  private final LongAdder spans = new LongAdder();

  /** Spans exported so far. */
  public long spans() {
    return spans.sum();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> batch) {
    spans.add(batch.size());
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
