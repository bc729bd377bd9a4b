package io.bulwark.telemetry.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket latency histogram with cumulative-on-read semantics: bucket {@code i} counts
 * values {@code <= bounds[i]}, the last bucket counts the rest ({@code +Inf}). Lock-free and
 * allocation-free on {@link #record(long)}.
 */
public final class LatencyHistogram {
  private final long[] boundsNanos;
  private final LongAdder[] buckets;
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram(long[] boundsNanos) {
    this.boundsNanos = boundsNanos;
    this.buckets = new LongAdder[boundsNanos.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  public void record(long nanos) {
    long value = Math.max(0, nanos);
    long[] bounds = boundsNanos;
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    buckets[i].increment();
    sumNanos.add(value);
  }

  /** Per-bucket (non-cumulative) counts; the last entry is the {@code +Inf} overflow bucket. */
  public long[] bucketCounts() {
    long[] out = new long[buckets.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = buckets[i].sum();
    }
    return out;
  }

  public long sumNanos() {
    return sumNanos.sum();
  }
}
