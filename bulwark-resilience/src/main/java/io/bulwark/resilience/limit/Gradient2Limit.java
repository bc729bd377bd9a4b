package io.bulwark.resilience.limit;

import io.bulwark.core.config.Checks;

/**
 * Gradient of a short-term against a long-term latency: the limit follows {@code limit × gradient +
 * queueSize}, where {@code gradient = clamp(tolerance × longRtt / shortRtt, 0.5, 1)}. While latency
 * stays within {@code tolerance} of its long-term average the limit grows by the queue allowance;
 * when latency rises it shrinks proportionally. The long-term average is an exponential moving
 * average over {@code longWindow} samples that decays faster when it is far above the short-term
 * value (recovery after a latency spike). A drop counts as gradient 0.5.
 *
 * @param initialLimit the starting limit
 * @param minLimit the lowest limit
 * @param maxLimit the highest limit
 * @param tolerance how much latency growth is accepted before shrinking, ≥ 1
 * @param longWindow samples in the long-term average
 * @param queueSize the growth allowance per sample
 * @param smoothing how far toward the new estimate each sample moves the limit, in (0, 1]
 */
public record Gradient2Limit(
    int initialLimit,
    int minLimit,
    int maxLimit,
    double tolerance,
    int longWindow,
    int queueSize,
    double smoothing)
    implements LimitAlgorithm {

  public Gradient2Limit {
    Checks.atLeast("minLimit", minLimit, 1);
    Checks.atLeast("maxLimit", maxLimit, minLimit);
    Checks.inRange("initialLimit", initialLimit, minLimit, maxLimit);
    Checks.inRange("tolerance", tolerance, 1.0, 100.0);
    if (longWindow < 1) {
      throw new IllegalArgumentException("longWindow must be at least 1, was " + longWindow);
    }
    if (queueSize < 0) {
      throw new IllegalArgumentException("queueSize must not be negative, was " + queueSize);
    }
    Checks.inRange("smoothing", smoothing, 0.01, 1.0);
  }

  /** Initial 20, range [1, 1000], tolerance 1.5, long window 600, queue 4, smoothing 0.2. */
  public static Gradient2Limit ofDefaults() {
    return new Gradient2Limit(20, 1, 1000, 1.5, 600, 4, 0.2);
  }

  @Override
  public Estimator start() {
    return new Estimator() {
      private double limit = initialLimit;
      private double longRtt;

      @Override
      public int limit() {
        return (int) limit;
      }

      @Override
      public int onSample(long rttNanos, int inflight, boolean dropped) {
        if (rttNanos <= 0) {
          return limit();
        }
        double shortRtt = rttNanos;
        longRtt = longRtt == 0 ? shortRtt : longRtt + (shortRtt - longRtt) / longWindow;
        if (longRtt / shortRtt > 2) {
          longRtt *= 0.95;
        }
        if (!dropped && inflight < limit / 2) {
          return limit();
        }
        double gradient =
            dropped ? 0.5 : Math.max(0.5, Math.min(1.0, tolerance * longRtt / shortRtt));
        double target = limit * gradient + queueSize;
        target = (1 - smoothing) * limit + smoothing * target;
        limit = Math.max(minLimit, Math.min(maxLimit, target));
        return limit();
      }
    };
  }
}
