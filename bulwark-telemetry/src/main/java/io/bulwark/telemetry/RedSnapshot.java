package io.bulwark.telemetry;

import io.bulwark.core.telemetry.Outcome;
import java.util.EnumMap;
import java.util.Map;

/**
 * A point-in-time copy of one RED series (what a scrape or the embedded store reads). Immutable.
 */
public final class RedSnapshot {
  private final String kind;
  private final String name;
  private final long[] countsByOutcome;
  private final long[] bucketCounts;
  private final long sumNanos;

  /**
   * @param kind {@code endpoint} or {@code dependency}
   * @param name the endpoint or dependency name
   * @param countsByOutcome cumulative request counts in {@link Outcome} declaration order
   * @param bucketCounts non-cumulative histogram bucket counts, the last one is {@code +Inf}
   * @param sumNanos total recorded duration
   */
  public RedSnapshot(
      String kind, String name, long[] countsByOutcome, long[] bucketCounts, long sumNanos) {
    if (countsByOutcome.length != Outcome.values().length) {
      throw new IllegalArgumentException(
          "countsByOutcome must have one entry per outcome, had " + countsByOutcome.length);
    }
    this.kind = kind;
    this.name = name;
    this.countsByOutcome = countsByOutcome.clone();
    this.bucketCounts = bucketCounts.clone();
    this.sumNanos = sumNanos;
  }

  public String kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  /** Requests that ended with {@code outcome}. */
  @SuppressWarnings("EnumOrdinal") // the array is indexed by declaration order by contract
  public long count(Outcome outcome) {
    return countsByOutcome[outcome.ordinal()];
  }

  /** Requests per outcome. */
  public Map<Outcome, Long> counts() {
    Map<Outcome, Long> out = new EnumMap<>(Outcome.class);
    for (Outcome o : Outcome.values()) {
      out.put(o, count(o));
    }
    return out;
  }

  /** All requests. */
  public long total() {
    long t = 0;
    for (long c : countsByOutcome) {
      t += c;
    }
    return t;
  }

  /** Non-cumulative bucket counts (a copy); the last entry is the {@code +Inf} bucket. */
  public long[] bucketCounts() {
    return bucketCounts.clone();
  }

  public long sumNanos() {
    return sumNanos;
  }

  @Override
  public String toString() {
    return "RedSnapshot[" + kind + "=" + name + ", " + counts() + ", sumNanos=" + sumNanos + "]";
  }
}
