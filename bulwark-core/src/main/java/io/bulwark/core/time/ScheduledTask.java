package io.bulwark.core.time;

/** A handle on a task given to a {@link Scheduler}. Thread-safe. */
public interface ScheduledTask {

  /**
   * Cancels the task if it has not started; a periodic task runs no more after this.
   *
   * @return true if this call cancelled it, false if it had already run (one-shot) or was cancelled
   */
  boolean cancel();

  /** True once {@link #cancel()} has succeeded. */
  boolean isCancelled();
}
