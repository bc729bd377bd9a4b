package io.bulwark.core.time;

/**
 * The scheduler {@link Scheduler#system()} returns: one {@link SystemScheduler} for the whole JVM,
 * created on first use and never closed. It is not a {@link SystemScheduler} itself, so no caller
 * can close it (not even by a cast) under the other users. Its thread is named {@value
 * #THREAD_NAME}, apart from the {@code bulwark-scheduler} threads of the schedulers that components
 * own and close, so a check for threads left behind by a stopped component can tell them apart.
 */
final class SharedScheduler implements Scheduler {
  static final SharedScheduler INSTANCE = new SharedScheduler();

  static final String THREAD_NAME = "bulwark-shared-scheduler";

  private final SystemScheduler delegate = new SystemScheduler(Clock.system(), THREAD_NAME);

  private SharedScheduler() {}

  @Override
  public Clock clock() {
    return delegate.clock();
  }

  @Override
  public ScheduledTask schedule(long delayNanos, Runnable task) {
    return delegate.schedule(delayNanos, task);
  }

  @Override
  public ScheduledTask scheduleAtFixedRate(
      long initialDelayNanos, long periodNanos, Runnable task) {
    return delegate.scheduleAtFixedRate(initialDelayNanos, periodNanos, task);
  }

  @Override
  public String toString() {
    return "Scheduler.system()";
  }
}
