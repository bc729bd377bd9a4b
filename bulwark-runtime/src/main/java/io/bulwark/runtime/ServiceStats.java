package io.bulwark.runtime;

/**
 * What one service's instances served during one interval (see {@link SystemRuntime#takeStats()}),
 * from the runtime's request listener on every instance's server.
 *
 * @param service the service
 * @param requests requests answered in the interval
 *     <p>Refusals are two different signals and are counted apart: {@code rateLimited} (429: a
 *     caller exceeded its quota, the service is fine) and {@code unavailable} (503: shed,
 *     overloaded, draining or a dependency down). A 503 is also an error; a 429 is not (it is a
 *     4xx).
 * @param service the service
 * @param requests requests answered in the interval
 * @param errors answers with status 5xx (shed and timed-out requests included)
 * @param p50Nanos median latency of the interval's requests (0 with none)
 * @param p99Nanos 99th percentile latency of the interval's requests (0 with none)
 * @param intervalNanos the interval's length
 * @param rateLimited answers with status 429 (too many requests)
 * @param unavailable answers with status 503 (service unavailable), a subset of {@code errors}
 */
public record ServiceStats(
    String service,
    long requests,
    long errors,
    long p50Nanos,
    long p99Nanos,
    long intervalNanos,
    long rateLimited,
    long unavailable) {

  /** Stats without refusal counts (both 0). */
  public ServiceStats(
      String service,
      long requests,
      long errors,
      long p50Nanos,
      long p99Nanos,
      long intervalNanos) {
    this(service, requests, errors, p50Nanos, p99Nanos, intervalNanos, 0, 0);
  }

  /** Requests per second over the interval. */
  public double requestsPerSecond() {
    return intervalNanos <= 0 ? 0 : requests * 1e9 / intervalNanos;
  }

  /** Errors / requests (0 with no request). */
  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }

  /** 429 answers / requests (0 with no request). */
  public double rateLimitedRate() {
    return requests == 0 ? 0 : (double) rateLimited / requests;
  }

  /** 503 answers / requests (0 with no request). */
  public double unavailableRate() {
    return requests == 0 ? 0 : (double) unavailable / requests;
  }
}
