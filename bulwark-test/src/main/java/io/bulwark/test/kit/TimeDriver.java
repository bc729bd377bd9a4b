package io.bulwark.test.kit;

import io.bulwark.core.time.Scheduler;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How a compatibility kit lets time pass: a virtual implementation advances its scheduler; a real
 * one waits (bounded) for a condition. Kits call {@link #passUntil} instead of sleeping.
 */
public interface TimeDriver {

  /** The scheduler the implementation under test uses. */
  Scheduler scheduler();

  /**
   * Lets up to {@code limit} of time pass, stopping as soon as {@code condition} holds.
   *
   * @return whether the condition held
   */
  boolean passUntil(Duration limit, BooleanSupplier condition) throws InterruptedException;

  /** Virtual time: advances the scheduler in steps of {@code step}. */
  static TimeDriver virtual(VirtualScheduler scheduler, Duration step) {
    return new TimeDriver() {
      @Override
      public Scheduler scheduler() {
        return scheduler;
      }

      @Override
      public boolean passUntil(Duration limit, BooleanSupplier condition) {
        Duration passed = Duration.ZERO;
        while (!condition.getAsBoolean()) {
          if (passed.compareTo(limit) >= 0) {
            return false;
          }
          scheduler.advance(step);
          passed = passed.plus(step);
        }
        return true;
      }
    };
  }

  /** Real time: polls {@code condition} until it holds or {@code limit} passes. */
  static TimeDriver real(Scheduler scheduler) {
    return new TimeDriver() {
      @Override
      public Scheduler scheduler() {
        return scheduler;
      }

      @Override
      public boolean passUntil(Duration limit, BooleanSupplier condition)
          throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
          if (System.nanoTime() - end >= 0) {
            return false;
          }
          LockSupport.parkNanos(1_000_000L);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        return true;
      }
    };
  }
}
