package io.bulwark.runtime.autoscale;

/** A service-wide load metric of a {@link LoadSample} that a policy tracks per instance. */
public enum Metric {
  /** {@link LoadSample#requestRate()}: requests per second. */
  REQUEST_RATE,
  /** {@link LoadSample#concurrency()}: requests in flight. */
  CONCURRENCY,
  /** {@link LoadSample#consumerLag()}: records waiting. */
  CONSUMER_LAG;

  /** The metric's value for the whole service in {@code sample}. */
  public double of(LoadSample sample) {
    return switch (this) {
      case REQUEST_RATE -> sample.requestRate();
      case CONCURRENCY -> sample.concurrency();
      case CONSUMER_LAG -> (double) sample.consumerLag();
    };
  }
}
