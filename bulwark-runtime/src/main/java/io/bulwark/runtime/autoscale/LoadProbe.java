package io.bulwark.runtime.autoscale;

/**
 * Reads a service's load for an {@link Autoscaler}: called on the autoscaler's timer thread, once
 * per sampling interval; must be quick and must not block.
 */
@FunctionalInterface
public interface LoadProbe {

  /** The service's load now ({@code nowNanos} on the autoscaler's clock). */
  Load read(long nowNanos);

  /**
   * One reading.
   *
   * @param requestRate requests per second offered to the service
   * @param concurrency requests in flight across the service
   * @param p99Millis 99th percentile latency in milliseconds
   * @param consumerLag records waiting in the service's consumer groups
   */
  record Load(double requestRate, double concurrency, double p99Millis, long consumerLag) {}
}
