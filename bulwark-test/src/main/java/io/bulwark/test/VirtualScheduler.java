package io.bulwark.test;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Scheduler} in virtual time. Nothing runs until the test calls {@link #advance(Duration)}
 * (or {@link #runDue()}); then every task due by the new time runs on the calling thread, in time
 * order (ties in scheduling order), with the clock set to each task's due time while it runs. Tasks
 * scheduled by running tasks are honoured in the same advance if they fall due within it.
 *
 * <p>Tests can {@link #record(String)} events; {@link #timeline()} returns them with their virtual
 * times, so a test asserts what happened when. Thread-safe: tasks may be scheduled from any thread.
 */
public final class VirtualScheduler implements Scheduler {
  private final VirtualClock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final List<TimelineEntry> timeline = new ArrayList<>();
  private long sequence;

  public VirtualScheduler() {
    this(new VirtualClock());
  }

  public VirtualScheduler(VirtualClock clock) {
    this.clock = clock;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  /** The same clock, typed for tests that move it directly. */
  public VirtualClock virtualClock() {
    return clock;
  }

  @Override
  public ScheduledTask schedule(long delayNanos, Runnable task) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("delayNanos must not be negative, was " + delayNanos);
    }
    return enqueue(clock.nanoTime() + delayNanos, 0, task);
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
    return enqueue(clock.nanoTime() + initialDelayNanos, periodNanos, task);
  }

  /** Advances time by {@code duration}, running every task that falls due on the way. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time cannot go backwards: " + duration);
    }
    long target = clock.nanoTime() + duration.toNanos();
    Task next;
    while ((next = pollDue(target)) != null) {
      clock.advanceTo(next.dueNanos);
      runTask(next);
    }
    clock.advanceTo(target);
  }

  /** Advances to the next pending task and runs everything due then; false if none is pending. */
  public boolean advanceToNextTask() {
    long due;
    lock.lock();
    try {
      Task head = queue.peek();
      if (head == null) {
        return false;
      }
      due = head.dueNanos;
    } finally {
      lock.unlock();
    }
    advance(Duration.ofNanos(Math.max(0, due - clock.nanoTime())));
    return true;
  }

  /** Runs the tasks due now without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** How many tasks wait to run (cancelled ones excluded). */
  public int pendingTasks() {
    lock.lock();
    try {
      return (int) queue.stream().filter(t -> !t.cancelled.get()).count();
    } finally {
      lock.unlock();
    }
  }

  /** Adds an event to the timeline at the current virtual time. */
  public void record(String event) {
    lock.lock();
    try {
      timeline.add(new TimelineEntry(clock.elapsed(), event));
    } finally {
      lock.unlock();
    }
  }

  /** The recorded events, oldest first. */
  public List<TimelineEntry> timeline() {
    lock.lock();
    try {
      return List.copyOf(timeline);
    } finally {
      lock.unlock();
    }
  }

  private ScheduledTask enqueue(long dueNanos, long periodNanos, Runnable task) {
    lock.lock();
    try {
      Task t = new Task(dueNanos, sequence++, periodNanos, task);
      queue.add(t);
      return t;
    } finally {
      lock.unlock();
    }
  }

  private @Nullable Task pollDue(long target) {
    lock.lock();
    try {
      while (!queue.isEmpty()) {
        Task head = queue.peek();
        if (head.cancelled.get()) {
          queue.poll();
        } else if (head.dueNanos <= target) {
          return queue.poll();
        } else {
          return null;
        }
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  private void runTask(Task task) {
    try {
      task.runnable.run();
    } finally {
      if (task.periodNanos > 0 && !task.cancelled.get()) {
        lock.lock();
        try {
          queue.add(new Task(task, task.dueNanos + task.periodNanos, sequence++));
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private static final class Task implements ScheduledTask, Comparable<Task> {
    final long dueNanos;
    final long seq;
    final long periodNanos;
    final Runnable runnable;
    final AtomicBoolean cancelled;
    final AtomicBoolean done;

    Task(long dueNanos, long seq, long periodNanos, Runnable runnable) {
      this.dueNanos = dueNanos;
      this.seq = seq;
      this.periodNanos = periodNanos;
      this.runnable = periodNanos > 0 ? runnable : new Once(runnable, this);
      this.cancelled = new AtomicBoolean();
      this.done = new AtomicBoolean();
    }

    /** The next run of a periodic task: shares its cancellation flag with earlier runs. */
    Task(Task previous, long dueNanos, long seq) {
      this.dueNanos = dueNanos;
      this.seq = seq;
      this.periodNanos = previous.periodNanos;
      this.runnable = previous.runnable;
      this.cancelled = previous.cancelled;
      this.done = previous.done;
    }

    @Override
    public boolean cancel() {
      return !done.get() && cancelled.compareAndSet(false, true);
    }

    @Override
    public boolean isCancelled() {
      return cancelled.get();
    }

    @Override
    public int compareTo(Task o) {
      int byTime = Long.compare(dueNanos, o.dueNanos);
      return byTime != 0 ? byTime : Long.compare(seq, o.seq);
    }
  }

  private record Once(Runnable delegate, Task task) implements Runnable {
    @Override
    public void run() {
      if (task.done.compareAndSet(false, true) && !task.cancelled.get()) {
        delegate.run();
      }
    }
  }
}
