package io.bulwark.resilience;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A counting semaphore whose bounded wait is timed by a {@link Scheduler}, so virtual time drives
 * it in tests. The fast path is one compare-and-set; waiters park and are woken one at a time by
 * releases (barging is allowed, so a waiter that loses the race parks again).
 *
 * <p>Invariant: {@code available} never goes below zero, so at most {@code permits} holders exist.
 */
final class Permits {
  private final int permits;
  private final PaddedLong available;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  /**
   * How many threads wait, so that a release touches the queue only when someone does. A waiter
   * enqueues, counts itself, then re-checks the permits; a release adds its permit, then reads the
   * count. Both are sequentially consistent atomics, so either the waiter sees the permit or the
   * release sees the waiter and wakes it: no lost wake-up.
   */
  private final AtomicInteger waiting = new AtomicInteger();

  Permits(int permits) {
    this.permits = permits;
    this.available = new PaddedLong(permits);
  }

  int available() {
    return (int) available.get();
  }

  int size() {
    return permits;
  }

  boolean tryAcquire() {
    for (; ; ) {
      long a = available.get();
      if (a <= 0) {
        return false;
      }
      if (available.compareAndSet(a, a - 1)) {
        return true;
      }
    }
  }

  /** Waits up to {@code maxWaitNanos} (on the scheduler's time) for a permit. */
  boolean acquire(long maxWaitNanos, Scheduler scheduler) throws InterruptedException {
    if (tryAcquire()) {
      return true;
    }
    if (maxWaitNanos <= 0) {
      return false;
    }
    Waiter waiter = new Waiter(Thread.currentThread());
    waiters.add(waiter);
    waiting.incrementAndGet();
    ScheduledTask timer = scheduler.schedule(maxWaitNanos, waiter::expire);
    boolean acquired = false;
    try {
      for (; ; ) {
        if (tryAcquire()) {
          acquired = true;
          return true;
        }
        if (waiter.expired) {
          return false;
        }
        LockSupport.park(this);
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for a permit");
        }
      }
    } finally {
      waiters.remove(waiter);
      waiting.decrementAndGet();
      timer.cancel();
      if (!acquired && available.get() > 0) {
        signalNext();
      }
    }
  }

  void release() {
    available.addAndGet(1);
    if (waiting.get() != 0) {
      signalNext();
    }
  }

  private void signalNext() {
    Waiter next = waiters.peek();
    if (next != null) {
      LockSupport.unpark(next.thread);
    }
  }

  private static final class Waiter {
    final Thread thread;
    volatile boolean expired;

    Waiter(Thread thread) {
      this.thread = thread;
    }

    void expire() {
      expired = true;
      LockSupport.unpark(thread);
    }
  }
}
