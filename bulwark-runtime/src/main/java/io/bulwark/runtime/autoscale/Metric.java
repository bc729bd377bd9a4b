package io.bulwark.runtime.autoscale;

/** A service-wide load metric of a {@link Sample} that a policy tracks per instance. */
public enum Metric {
  /** {@link Sample#requestRate()}: requests per second. */
  REQUEST_RATE,
  /** {@link Sample#concurrency()}: requests in flight. */
  CONCURRENCY,
  /** {@link Sample#consumerLag()}: records waiting. */
  CONSUMER_LAG;

  /** The metric's value for the whole service in {@code sample}. */
  public double of(Sample sample) {
    return switch (this) {
      case REQUEST_RATE -> sample.requestRate();
      case CONCURRENCY -> sample.concurrency();
      case CONSUMER_LAG -> (double) sample.consumerLag();
    };
  }
}
