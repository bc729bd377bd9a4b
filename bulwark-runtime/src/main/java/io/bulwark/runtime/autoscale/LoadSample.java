package io.bulwark.runtime.autoscale;

/**
 * One recorded observation of a service, taken at {@code atNanos} on the autoscaler's clock.
 *
 * @param atNanos when it was taken ({@link io.bulwark.core.time.Clock#nanoTime()})
 * @param instances instances the service has (ready or starting)
 * @param readyInstances of those, instances that serve
 * @param requestRate requests per second offered to the whole service
 * @param concurrency requests in flight (served or queued) across the service, averaged
 * @param p99Millis 99th percentile latency in milliseconds (0 when nothing was served)
 * @param consumerLag records waiting in the service's consumer groups (0 for no consumer)
 */
public record LoadSample(
    long atNanos,
    int instances,
    int readyInstances,
    double requestRate,
    double concurrency,
    double p99Millis,
    long consumerLag) {

  /**
   * Builds the policy.
   *
   * @throws IllegalArgumentException naming the field and the value when a count is negative, a
   *     rate is negative or not finite, or more instances are ready than exist
   */
  public LoadSample {
    if (instances < 0) {
      throw new IllegalArgumentException("sample instances must not be negative, was " + instances);
    }
    if (readyInstances < 0 || readyInstances > instances) {
      throw new IllegalArgumentException(
          "sample readyInstances must be within 0.." + instances + ", was " + readyInstances);
    }
    check("requestRate", requestRate);
    check("concurrency", concurrency);
    check("p99Millis", p99Millis);
    if (consumerLag < 0) {
      throw new IllegalArgumentException(
          "sample consumerLag must not be negative, was " + consumerLag);
    }
  }

  /** A sample with {@code instances} all ready, of request load only. */
  public static LoadSample ofLoad(
      long atNanos, int instances, double requestRate, double concurrency) {
    return new LoadSample(atNanos, instances, instances, requestRate, concurrency, 0, 0);
  }

  /** A sample with {@code instances} all ready, of consumer lag only. */
  public static LoadSample ofLag(long atNanos, int instances, long consumerLag) {
    return new LoadSample(atNanos, instances, instances, 0, 0, 0, consumerLag);
  }

  private static void check(String field, double value) {
    if (!(value >= 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "sample " + field + " must be a finite number >= 0, was " + value);
    }
  }
}
