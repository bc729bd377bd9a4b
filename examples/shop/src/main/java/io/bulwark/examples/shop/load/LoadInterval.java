package io.bulwark.examples.shop.load;

/**
 * What the users saw during one second of the run, by completion time.
 *
 * @param second seconds since the load started (the interval is [second, second + 1))
 * @param requests requests that completed in the interval
 * @param errors of those, the errors (5xx, connection failure, timeout)
 * @param p50Micros median latency from the intended start, microseconds (0 with no request)
 * @param p99Micros 99th percentile latency from the intended start, microseconds
 * @param degradedPages product pages answered with {@code "recommendationsSource":"popular"}
 * @param checkoutsCompleted checkouts answered with a confirmed order
 * @param checkoutsFailed checkouts that failed (not counting 409 business answers)
 */
public record LoadInterval(
    int second,
    long requests,
    long errors,
    long p50Micros,
    long p99Micros,
    long degradedPages,
    long checkoutsCompleted,
    long checkoutsFailed) {

  /** errors / requests, 0 with no request. */
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }
}
