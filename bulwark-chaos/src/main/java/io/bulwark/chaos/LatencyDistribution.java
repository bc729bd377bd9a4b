package io.bulwark.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a latency fault delays a call: fixed, or drawn from a distribution with the fault's
 * seeded random source (the same seed and request ids give the same delays). Immutable.
 */
public sealed interface LatencyDistribution {

  /** The delay for a uniform sample {@code u} in {@code [0, 1)}, in nanoseconds, never negative. */
  long sampleNanos(double u);

  /** Always {@code delay}. */
  static LatencyDistribution fixed(Duration delay) {
    return new Fixed(delay);
  }

  /** Uniform between {@code min} and {@code max}. */
  static LatencyDistribution uniform(Duration min, Duration max) {
    return new Uniform(min, max);
  }

  /** Exponential with {@code mean}, capped at {@code max} (a long tail that stays bounded). */
  static LatencyDistribution exponential(Duration mean, Duration max) {
    return new Exponential(mean, max);
  }

  /** Always {@code delay}. */
  record Fixed(Duration delay) implements LatencyDistribution {
    public Fixed {
      requireNotNegative("delay", delay);
    }

    @Override
    public long sampleNanos(double u) {
      return delay.toNanos();
    }
  }

  /** Uniform in {@code [min, max]}. */
  record Uniform(Duration min, Duration max) implements LatencyDistribution {
    public Uniform {
      requireNotNegative("min", min);
      requireNotNegative("max", max);
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "latency max must be >= min, was min=" + min + " max=" + max);
      }
    }

    @Override
    public long sampleNanos(double u) {
      long lo = min.toNanos();
      return lo + (long) (u * (max.toNanos() - lo));
    }
  }

  /** Exponential with {@code mean}, capped at {@code max}. */
  record Exponential(Duration mean, Duration max) implements LatencyDistribution {
    public Exponential {
      requireNotNegative("mean", mean);
      requireNotNegative("max", max);
      if (mean.isZero()) {
        throw new IllegalArgumentException("latency mean must be > 0, was " + mean);
      }
    }

    @Override
    public long sampleNanos(double u) {
      double nanos = -Math.log1p(-u) * (double) mean.toNanos();
      return (long) Math.min(nanos, (double) max.toNanos());
    }
  }

  private static void requireNotNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(
          "latency " + field + " must not be negative, was " + value);
    }
    if (value.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("latency " + field + " must be <= 1 day, was " + value);
    }
  }
}
