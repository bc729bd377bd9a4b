package io.bulwark.resilience.limit;

import io.bulwark.core.config.Checks;
import java.time.Duration;

/**
 * Additive increase, multiplicative decrease: +1 when a call succeeds while the limit is at least
 * half used, × {@code backoffRatio} when a call is dropped or takes longer than {@code timeout}.
 * Simple and robust; reacts to loss only, not to growing latency.
 *
 * @param initialLimit the starting limit
 * @param minLimit the lowest limit
 * @param maxLimit the highest limit
 * @param backoffRatio the factor applied on a drop, in [0.5, 1)
 * @param timeout a call at least this long counts as a drop
 */
public record AimdLimit(
    int initialLimit, int minLimit, int maxLimit, double backoffRatio, Duration timeout)
    implements LimitAlgorithm {

  public AimdLimit {
    Checks.atLeast("minLimit", minLimit, 1);
    Checks.atLeast("maxLimit", maxLimit, minLimit);
    Checks.inRange("initialLimit", initialLimit, minLimit, maxLimit);
    Checks.inRange("backoffRatio", backoffRatio, 0.5, 0.999);
    Checks.positive("timeout", timeout);
  }

  /** Initial 20, range [1, 1000], backoff 0.9, timeout 5 s. */
  public static AimdLimit ofDefaults() {
    return new AimdLimit(20, 1, 1000, 0.9, Duration.ofSeconds(5));
  }

  @Override
  public Estimator start() {
    long timeoutNanos = timeout.toNanos();
    return new Estimator() {
      private int limit = initialLimit;

      @Override
      public int limit() {
        return limit;
      }

      @Override
      public int onSample(long rttNanos, int inflight, boolean dropped) {
        if (dropped || rttNanos >= timeoutNanos) {
          limit = (int) Math.clamp(Math.floor(limit * backoffRatio), minLimit, maxLimit);
        } else if (inflight * 2 >= limit) {
          limit = Math.clamp(limit + 1L, minLimit, maxLimit);
        }
        return limit;
      }
    };
  }
}
