package io.bulwark.runtime;

/**
 * What one service's instances served during one interval (see {@link SystemRuntime#takeStats()}),
 * from the runtime's request listener on every instance's server.
 *
 * @param service the service
 * @param requests requests answered in the interval
 * @param errors answers with status 5xx (shed and timed-out requests included)
 * @param p50Nanos median latency of the interval's requests (0 with none)
 * @param p99Nanos 99th percentile latency of the interval's requests (0 with none)
 * @param intervalNanos the interval's length
 */
public record ServiceStats(
    String service, long requests, long errors, long p50Nanos, long p99Nanos, long intervalNanos) {

  /** Requests per second over the interval. */
  public double requestsPerSecond() {
    return intervalNanos <= 0 ? 0 : requests * 1e9 / intervalNanos;
  }

  /** Errors / requests (0 with no request). */
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }
}
