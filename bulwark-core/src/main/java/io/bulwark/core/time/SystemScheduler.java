package io.bulwark.core.time;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} on real time, backed by one daemon platform thread. Tasks run on that thread,
 * so they must be short; a task that throws is reported to the thread's uncaught-exception handler
 * and does not stop the scheduler.
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {
  private final Clock clock;
  private final ScheduledThreadPoolExecutor executor;

  SystemScheduler(Clock clock) {
    this(clock, "bulwark-scheduler");
  }

  /** With {@code threadName} for its timer thread. */
  SystemScheduler(Clock clock, String threadName) {
    this.clock = clock;
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, threadName);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
  }

  /**
   * A new scheduler on the system clock with a timer thread of its own; close it when it is no
   * longer needed. For the shared one that is never closed, see {@link Scheduler#system()}.
   */
  public static SystemScheduler create() {
    return new SystemScheduler(Clock.system());
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public ScheduledTask schedule(long delayNanos, Runnable task) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("delayNanos must not be negative, was " + delayNanos);
    }
    return new Handle(executor.schedule(guarded(task), delayNanos, TimeUnit.NANOSECONDS));
  }

  @Override
  public ScheduledTask scheduleAtFixedRate(
      long initialDelayNanos, long periodNanos, Runnable task) {
    if (initialDelayNanos < 0) {
      throw new IllegalArgumentException(
          "initialDelayNanos must not be negative, was " + initialDelayNanos);
    }
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("periodNanos must be positive, was " + periodNanos);
    }
    return new Handle(
        executor.scheduleAtFixedRate(
            guarded(task), initialDelayNanos, periodNanos, TimeUnit.NANOSECONDS));
  }

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        Thread current = Thread.currentThread();
        current.getUncaughtExceptionHandler().uncaughtException(current, e);
      }
    };
  }

  /** Stops the timer thread; tasks not yet run never run. */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  private record Handle(ScheduledFuture<?> future) implements ScheduledTask {
    @Override
    public boolean cancel() {
      return future.cancel(false);
    }

    @Override
    public boolean isCancelled() {
      return future.isCancelled();
    }
  }
}
