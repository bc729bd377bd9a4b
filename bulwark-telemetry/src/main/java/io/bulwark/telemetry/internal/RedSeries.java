package io.bulwark.telemetry.internal;

import io.bulwark.telemetry.Outcome;
import io.bulwark.telemetry.RedRecorder;
import io.bulwark.telemetry.RedSnapshot;
import java.util.concurrent.atomic.LongAdder;

/** The aggregates behind one {@link RedRecorder}: a counter per outcome and a latency histogram. */
public final class RedSeries implements RedRecorder {
  private static final Outcome[] OUTCOMES = Outcome.values();

  private final String kind;
  private final String name;
  private final LongAdder[] counts = new LongAdder[OUTCOMES.length];
  private final LatencyHistogram histogram;

  public RedSeries(String kind, String name, long[] boundsNanos) {
    this.kind = kind;
    this.name = name;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
    this.histogram = new LatencyHistogram(boundsNanos);
  }

  @Override
  public String name() {
    return name;
  }

  /** {@code endpoint} or {@code dependency}. */
  public String kind() {
    return kind;
  }

  @Override
  public void record(Outcome outcome, long durationNanos) {
    counts[outcome.ordinal()].increment();
    histogram.record(durationNanos);
  }

  /** A consistent-enough copy of the aggregates (counts per outcome ordinal, buckets, sum). */
  public RedSnapshot snapshot() {
    long[] byOutcome = new long[counts.length];
    for (int i = 0; i < byOutcome.length; i++) {
      byOutcome[i] = counts[i].sum();
    }
    return new RedSnapshot(kind, name, byOutcome, histogram.bucketCounts(), histogram.sumNanos());
  }
}
