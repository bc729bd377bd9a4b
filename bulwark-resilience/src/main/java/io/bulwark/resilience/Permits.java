package io.bulwark.resilience;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A counting semaphore whose bounded wait is timed by a {@link Scheduler}, so virtual time drives
 * it in tests. Blocking callers park; {@code CompletionStage} callers get a future that a release
 * completes. Releases wake waiters one at a time (barging is allowed, so a waiter that loses the
 * race waits again).
 *
 * <p>Large semaphores are split into stripes (like {@link StripedGcra}): a caller takes a permit
 * from its home stripe, chosen by its thread id, or else from any other, and gives it back to any
 * stripe below its share. Cores then mostly write different cache lines, and one permit each way
 * stays one compare-and-set.
 *
 * <p>Invariant: no stripe goes below zero or above its share, and the shares add up to {@code
 * permits}, so at most {@code permits} holders exist.
 */
final class Permits {
  /** Returned by {@link #acquireAsync} when the permit was free at once. */
  private static final CompletableFuture<Boolean> GRANTED = CompletableFuture.completedFuture(true);

  private static final CompletableFuture<Boolean> REFUSED =
      CompletableFuture.completedFuture(false);

  /** Passes over all stripes after which a release finding every stripe full is a misuse. */
  private static final int RELEASE_PASSES = 1_000;

  private final int permits;
  private final PaddedLong[] free;
  private final int[] shares;
  private final int mask;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  /**
   * How many callers wait, so that a release touches the queue only when someone does. A waiter
   * counts itself, enqueues, then re-checks the permits; a release adds its permit, then reads the
   * count. Both are sequentially consistent atomics, so either the waiter sees the permit or the
   * release sees the waiter and wakes it: no lost wake-up.
   */
  private final AtomicInteger waiting = new AtomicInteger();

  Permits(int permits) {
    this(permits, stripesFor(permits, Runtime.getRuntime().availableProcessors()));
  }

  Permits(int permits, int stripes) {
    if (Integer.bitCount(stripes) != 1 || stripes > permits) {
      throw new IllegalArgumentException(
          "stripes must be a power of two ≤ permits " + permits + ", was " + stripes);
    }
    this.permits = permits;
    this.mask = stripes - 1;
    this.free = new PaddedLong[stripes];
    this.shares = new int[stripes];
    for (int i = 0; i < stripes; i++) {
      shares[i] = permits / stripes + (i < permits % stripes ? 1 : 0);
      free[i] = new PaddedLong(shares[i]);
    }
  }

  /** One stripe per 8 permits, at most twice the processors (as a power of two) and 64. */
  static int stripesFor(int permits, int processors) {
    int byCores = Stripes.forCores(processors, 64);
    return Integer.highestOneBit(Math.max(1, Math.min(byCores, permits / 8)));
  }

  int available() {
    long sum = 0;
    for (PaddedLong stripe : free) {
      sum += stripe.get();
    }
    return (int) sum;
  }

  int size() {
    return permits;
  }

  int stripes() {
    return free.length;
  }

  boolean tryAcquire() {
    int home = Stripes.home(mask);
    for (int k = 0; k <= mask; k++) {
      PaddedLong stripe = free[(home + k) & mask];
      for (long a = stripe.get(); a > 0; a = stripe.get()) {
        if (stripe.compareAndSet(a, a - 1)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Waits up to {@code maxWaitNanos} (on the scheduler's time) for a permit. */
  boolean acquire(long maxWaitNanos, Scheduler scheduler) throws InterruptedException {
    if (tryAcquire()) {
      return true;
    }
    if (maxWaitNanos <= 0) {
      return false;
    }
    Parked waiter = new Parked(Thread.currentThread());
    ScheduledTask timer = scheduler.schedule(maxWaitNanos, waiter::expire);
    enqueue(waiter);
    try {
      for (; ; ) {
        if (tryAcquire()) {
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
      dequeue(waiter);
      timer.cancel();
      // a release may have woken this waiter while another permit was also freed: pass it on
      wakeIfFree();
    }
  }

  /**
   * A future that completes with true once a permit is taken for the caller, or with false after
   * {@code maxWaitNanos} (on the scheduler's time). Completes at once, without allocating, when a
   * permit is free or the wait is zero. When a later release hands it a permit, it completes on a
   * new virtual thread.
   */
  CompletableFuture<Boolean> acquireAsync(long maxWaitNanos, Scheduler scheduler) {
    if (tryAcquire()) {
      return GRANTED;
    }
    if (maxWaitNanos <= 0) {
      return REFUSED;
    }
    Pending waiter = new Pending();
    enqueue(waiter);
    ScheduledTask timer;
    try {
      timer = scheduler.schedule(maxWaitNanos, waiter::expire);
    } catch (RuntimeException e) {
      if (waiter.settle()) {
        throw e; // left the queue without a permit
      }
      return waiter.result; // a release granted it a permit meanwhile
    }
    waiter.timer = timer;
    if (waiter.settled.get()) {
      timer.cancel(); // a release settled it before its timer existed
    }
    if (waiter.wake()) {
      wakeIfFree();
    }
    return waiter.result;
  }

  void release() {
    int home = Stripes.home(mask);
    for (int pass = 0; pass < RELEASE_PASSES; pass++) {
      for (int k = 0; k <= mask; k++) {
        int i = (home + k) & mask;
        PaddedLong stripe = free[i];
        for (long a = stripe.get(); a < shares[i]; a = stripe.get()) {
          if (stripe.compareAndSet(a, a + 1)) {
            if (waiting.get() != 0) {
              signalNext();
            }
            return;
          }
        }
      }
      Thread.onSpinWait();
    }
    throw new IllegalStateException("released a permit that was not taken: all are free");
  }

  /** Counts the waiter before queueing it, so the count is never below what the queue holds. */
  private void enqueue(Waiter waiter) {
    waiting.incrementAndGet();
    waiters.add(waiter);
  }

  private void dequeue(Waiter waiter) {
    if (waiters.remove(waiter)) {
      waiting.decrementAndGet();
    }
  }

  private void wakeIfFree() {
    if (waiting.get() != 0 && available() > 0) {
      signalNext();
    }
  }

  /**
   * Wakes the first waiter. A {@code CompletionStage} waiter takes its permit right here; if more
   * permits are free, the next waiter is woken too, in this loop (not by recursion, however many
   * waiters a burst of releases frees).
   */
  private void signalNext() {
    for (Waiter next = waiters.peek(); next != null && next.wake(); next = waiters.peek()) {
      if (waiting.get() == 0 || available() == 0) {
        return;
      }
    }
  }

  /** A caller waiting for a permit; {@link #wake} is called when one may be free. */
  private abstract static class Waiter {
    /** Returns true if it took a permit and left the queue, so the next may be woken. */
    abstract boolean wake();
  }

  /** A blocked thread: woken, it tries again itself. */
  private static final class Parked extends Waiter {
    final Thread thread;
    volatile boolean expired;

    Parked(Thread thread) {
      this.thread = thread;
    }

    @Override
    boolean wake() {
      LockSupport.unpark(thread); // it tries again itself and passes on what it does not need
      return false;
    }

    void expire() {
      expired = true;
      LockSupport.unpark(thread);
    }
  }

  /**
   * A {@code CompletionStage} caller: the waker takes the permit for it and completes its future on
   * a new virtual thread, so that the caller's continuation never runs inside a release (where one
   * continuation's release would wake the next, nesting without bound).
   */
  private final class Pending extends Waiter {
    final CompletableFuture<Boolean> result = new CompletableFuture<>();
    final AtomicBoolean settled = new AtomicBoolean();
    volatile @Nullable ScheduledTask timer; // set right after it is queued

    @Override
    boolean wake() {
      if (settled.get() || !tryAcquire()) {
        return false;
      }
      if (!settle()) {
        release(); // the wait ended meanwhile: the permit is not this waiter's to keep
        return false;
      }
      ScheduledTask t = timer;
      if (t != null) {
        t.cancel();
      }
      Thread.startVirtualThread(() -> result.complete(true));
      return true;
    }

    void expire() {
      if (settle()) {
        Thread.startVirtualThread(() -> result.complete(false));
        wakeIfFree();
      }
    }

    private boolean settle() {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      dequeue(this);
      return true;
    }
  }
}
