package io.bulwark.telemetry.internal;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.telemetry.RedSnapshot;
import java.util.concurrent.atomic.LongAdder;

/**
 * The aggregates behind one {@link RedRecorder}: one counter per (outcome, duration bucket) pair
 * and one duration sum. Recording is two uncontended-CAS increments and no allocation; per-outcome
 * counts (row sums) and bucket counts (column sums) are derived from the same cells, so a snapshot
 * never shows a request in the counter but not in the histogram.
 */
public final class RedSeries implements RedRecorder {
  private static final int OUTCOMES = Outcome.values().length;

  private final String kind;
  private final String name;
  private final long[] boundsNanos;
  private final int buckets;
  private final LongAdder[] cells;
  private final LongAdder sumNanos = new LongAdder();

  public RedSeries(String kind, String name, long[] boundsNanos) {
    this.kind = kind;
    this.name = name;
    this.boundsNanos = boundsNanos;
    this.buckets = boundsNanos.length + 1;
    this.cells = new LongAdder[OUTCOMES * buckets];
    for (int i = 0; i < cells.length; i++) {
      cells[i] = new LongAdder();
    }
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
  @SuppressWarnings("EnumOrdinal") // the cell index; a map lookup would cost the hot path
  public void record(Outcome outcome, long durationNanos) {
    long value = Math.max(0, durationNanos);
    long[] bounds = boundsNanos;
    int bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]) {
      bucket++;
    }
    cells[outcome.ordinal() * buckets + bucket].increment();
    sumNanos.add(value);
  }

  /** A copy of the aggregates: counts per outcome ordinal, non-cumulative buckets, sum. */
  public RedSnapshot snapshot() {
    long[] byOutcome = new long[OUTCOMES];
    long[] byBucket = new long[buckets];
    for (int o = 0; o < OUTCOMES; o++) {
      for (int b = 0; b < buckets; b++) {
        long c = cells[o * buckets + b].sum();
        byOutcome[o] += c;
        byBucket[b] += c;
      }
    }
    return new RedSnapshot(kind, name, byOutcome, byBucket, sumNanos.sum());
  }
}
