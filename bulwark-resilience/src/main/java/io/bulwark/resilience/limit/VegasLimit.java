package io.bulwark.resilience.limit;

import io.bulwark.core.config.Checks;

/**
 * TCP Vegas applied to concurrency: estimates the queue from how much the latency exceeds the
 * no-load latency ({@code queue = limit × (1 − rttNoLoad / rtt)}) and grows the limit while the
 * queue is short, shrinks it when the queue is long or a call is dropped. Thresholds scale with
 * {@code log10(limit)}: grow by β below log10, by log10 below α, shrink by log10 above β (α = 3 ×
 * log10, β = 6 × log10). The no-load latency is the smallest sample seen.
 *
 * @param initialLimit the starting limit
 * @param minLimit the lowest limit
 * @param maxLimit the highest limit
 * @param smoothing how far toward the new estimate each sample moves the limit, in (0, 1]
 */
public record VegasLimit(int initialLimit, int minLimit, int maxLimit, double smoothing)
    implements LimitAlgorithm {

  public VegasLimit {
    Checks.atLeast("minLimit", minLimit, 1);
    Checks.atLeast("maxLimit", maxLimit, minLimit);
    Checks.inRange("initialLimit", initialLimit, minLimit, maxLimit);
    Checks.inRange("smoothing", smoothing, 0.01, 1.0);
  }

  /** Initial 20, range [1, 1000], smoothing 1. */
  public static VegasLimit ofDefaults() {
    return new VegasLimit(20, 1, 1000, 1.0);
  }

  @Override
  public Estimator start() {
    return new Estimator() {
      private double limit = initialLimit;
      private long rttNoLoad;

      @Override
      public int limit() {
        return (int) limit;
      }

      @Override
      public int onSample(long rttNanos, int inflight, boolean dropped) {
        if (rttNanos <= 0) {
          return limit();
        }
        if (rttNoLoad == 0 || rttNanos < rttNoLoad) {
          rttNoLoad = rttNanos;
          return limit();
        }
        double log = Math.max(1, Math.log10(limit));
        double target;
        if (dropped) {
          target = limit - log;
        } else if (inflight * 2 < limit) {
          return limit();
        } else {
          double queue = Math.ceil(limit * (1 - (double) rttNoLoad / rttNanos));
          if (queue <= log) {
            target = limit + 6 * log;
          } else if (queue < 3 * log) {
            target = limit + log;
          } else if (queue > 6 * log) {
            target = limit - log;
          } else {
            return limit();
          }
        }
        target = Math.max(minLimit, Math.min(maxLimit, target));
        limit = (1 - smoothing) * limit + smoothing * target;
        return limit();
      }
    };
  }
}
