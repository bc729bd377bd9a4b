package io.bulwark.core.time;

import java.time.Duration;

/**
 * Runs tasks after a delay, measured on its {@link #clock()}. The one timer of a component: retry
 * backoff, timeouts, hedging delays and health checks all go through it, so the virtual scheduler
 * of {@code bulwark-test} can run them in virtual time.
 *
 * <p>Tasks must be short and must not block: hand longer work to an executor. Tasks due at the same
 * instant run in the order they were scheduled. Implementations are thread-safe.
 */
public interface Scheduler {

  /** The clock that measures this scheduler's delays. */
  Clock clock();

  /**
   * Runs {@code task} once, {@code delayNanos} after now.
   *
   * @throws IllegalArgumentException if {@code delayNanos} is negative
   */
  ScheduledTask schedule(long delayNanos, Runnable task);

  /** Runs {@code task} once, {@code delay} after now. */
  default ScheduledTask schedule(Duration delay, Runnable task) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    return schedule(saturatedNanos(delay), task);
  }

  /**
   * Runs {@code task} every {@code periodNanos}, first after {@code initialDelayNanos}. A run that
   * throws does not stop later runs. Cancel the returned handle to stop.
   */
  ScheduledTask scheduleAtFixedRate(long initialDelayNanos, long periodNanos, Runnable task);

  /**
   * The one shared scheduler on the system clock: every call returns the same instance, backed by
   * one daemon timer thread that lives as long as the JVM. It has no {@code close()}, so no user
   * can stop it under another. A component that must own (and stop) its timer thread uses {@link
   * SystemScheduler#create()} instead.
   */
  static Scheduler system() {
    return SharedScheduler.INSTANCE;
  }

  /** {@code duration} in nanoseconds, clamped to {@code Long.MAX_VALUE}. */
  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException overflow) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
