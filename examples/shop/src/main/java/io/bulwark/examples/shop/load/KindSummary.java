package io.bulwark.examples.shop.load;

/**
 * The whole run's figures for one {@link RequestKind}.
 *
 * @param kind the kind
 * @param requests requests of the kind that completed (a double-click's second submit counts)
 * @param errors of those, the errors
 * @param p50Micros median latency from the intended start, microseconds
 * @param p99Micros 99th percentile, microseconds
 * @param maxMicros the slowest, microseconds
 */
public record KindSummary(
    RequestKind kind, long requests, long errors, long p50Micros, long p99Micros, long maxMicros) {

  /** errors / requests, 0 with no request. */
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }
}
