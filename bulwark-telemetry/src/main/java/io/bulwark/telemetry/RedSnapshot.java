package io.bulwark.telemetry;

/**
 * A point-in-time copy of one RED series (what a scrape or the embedded store reads).
 *
 * @param kind {@code endpoint} or {@code dependency}
 * @param name the endpoint or dependency name
 * @param countsByOutcome cumulative request counts indexed by {@code Outcome.ordinal()}
 * @param bucketCounts non-cumulative histogram bucket counts, last is {@code +Inf}
 * @param sumNanos total recorded duration
 */
public record RedSnapshot(
    String kind, String name, long[] countsByOutcome, long[] bucketCounts, long sumNanos) {

  public long total() {
    long t = 0;
    for (long c : countsByOutcome) {
      t += c;
    }
    return t;
  }
}
