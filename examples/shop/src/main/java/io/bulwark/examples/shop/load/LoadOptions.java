package io.bulwark.examples.shop.load;

import java.time.Duration;
import java.util.Objects;

/**
 * How hard and how long the users push: a fixed rate of scheduled requests per second, a duration,
 * a seed for the mix and a per-request timeout after which a user gives up (an error).
 *
 * @param rate scheduled requests per second, in (0, {@value #MAX_RATE}]
 * @param duration how long requests are scheduled, at least 1 s, at most 24 h
 * @param seed the seed of the request sequence: the same seed gives the same sequence
 * @param timeout how long one HTTP call may take before the user gives up, in (0, 60 s]
 */
public record LoadOptions(double rate, Duration duration, long seed, Duration timeout) {
  /** The highest rate accepted, far above what one machine's shop serves. */
  public static final double MAX_RATE = 5000;

  /** The default per-call timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  public LoadOptions {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(timeout, "timeout");
    checkRate(rate);
    checkDuration(duration);
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException(
          "load timeout must be above 0 and at most 60s, was " + timeout);
    }
  }

  /** Options with the {@link #DEFAULT_TIMEOUT}. */
  public static LoadOptions of(double rate, Duration duration, long seed) {
    return new LoadOptions(rate, duration, seed, DEFAULT_TIMEOUT);
  }

  /** Throws {@link IllegalArgumentException} naming {@code rate} unless it is a valid rate. */
  public static void checkRate(double rate) {
    if (!(rate > 0 && rate <= MAX_RATE)) {
      throw new IllegalArgumentException(
          "rate must be above 0 and at most " + (long) MAX_RATE + " requests/s, was " + rate);
    }
  }

  /** Throws {@link IllegalArgumentException} naming {@code duration} unless it is valid. */
  public static void checkDuration(Duration duration) {
    if (duration.compareTo(Duration.ofSeconds(1)) < 0
        || duration.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException(
          "duration must be at least 1s and at most 24h, was " + duration.toMillis() + "ms");
    }
  }

  /** Requests scheduled over the whole duration: {@code floor(rate × seconds)}, at least 1. */
  public int scheduledRequests() {
    return (int) Math.max(1, Math.floor(rate * duration.toNanos() / 1e9));
  }

  /** The intended start of request {@code i}, in nanoseconds after the load's start. */
  public long intendedOffsetNanos(int i) {
    return (long) (i * 1e9 / rate);
  }

  /**
   * The intended start of the request at {@code position} (request {@code i} at {@code i}; a
   * spike's requests between), in nanoseconds after the load's start.
   */
  public long intendedOffsetNanos(double position) {
    return (long) (position * 1e9 / rate);
  }
}
