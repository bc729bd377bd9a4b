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

  /** The most cohort series one RED series keeps; later cohorts are counted as "other". */
  public static final int MAX_COHORTS = 16;

  /** Chaos cohort series, created on the first cohort recording (never while chaos is off). */
  private final java.util.concurrent.ConcurrentHashMap<String, RedSeries> cohorts =
      new java.util.concurrent.ConcurrentHashMap<>();

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

  /**
   * Records into this series and into cohort {@code cohort}'s own series (at most {@link
   * #MAX_COHORTS}; past that, into {@code other}).
   */
  @Override
  public void record(Outcome outcome, long durationNanos, String cohort) {
    record(outcome, durationNanos);
    RedSeries c = cohorts.get(cohort);
    if (c == null) {
      String key = cohorts.size() >= MAX_COHORTS ? io.bulwark.core.fault.ChaosCohort.OTHER : cohort;
      c = cohorts.computeIfAbsent(key, k -> new RedSeries(kind, name, boundsNanos));
    }
    c.record(outcome, durationNanos);
  }

  /** Snapshots of the chaos cohort series, by cohort label (empty while chaos never ran). */
  public java.util.Map<String, RedSnapshot> cohortSnapshots() {
    java.util.Map<String, RedSnapshot> out = new java.util.TreeMap<>();
    cohorts.forEach((k, v) -> out.put(k, v.snapshot()));
    return out;
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
