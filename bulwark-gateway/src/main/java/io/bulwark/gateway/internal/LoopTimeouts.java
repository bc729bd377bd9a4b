package io.bulwark.gateway.internal;

import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Coarse per-event-loop deadlines for upstream attempts: a hashed timer wheel per event loop, swept
 * by one periodic task of that loop while it holds anything. Arming and cancelling link and unlink
 * the caller's own node (no allocation, no scheduled task, no lock), where a scheduled timer per
 * attempt would cost a task object, a priority-queue insertion and removal and a map entry in
 * Vert.x. A deadline fires on the first sweep at or after it, so up to one {@link #TICK_NANOS tick}
 * (5 ms) late, plus whatever the loop is busy with. The sweeper stops on a sweep that finds the
 * wheel empty and starts again with the next deadline, so an idle loop has no periodic work and a
 * busy one pays one sweep per tick, not a timer per attempt.
 *
 * <p>Each wheel is touched only by its own event loop thread: {@link #arm} from any other thread
 * returns false (the caller then uses a scheduled timer), and {@link #cancel} from another thread
 * is handed to the owning loop. The per-loop table is an immutable array swapped under a lock when
 * a loop arms its first deadline (as many times as there are event loops).
 */
final class LoopTimeouts {
  /** The sweep period: a deadline fires at most this much after it is due (loop delays aside). */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private static final int BUCKETS = 512; // a power of two: one revolution is 2.56 s

  private final long tickNanos;
  private final int buckets;

  /** A deadline's node, embedded in its owner: armed at most once at a time. */
  abstract static class Timeout {
    private @Nullable Timeout prev;
    private @Nullable Timeout next;
    private @Nullable Timeout expiredNext;
    private @Nullable Wheel wheel;
    private long deadlineTick;
    private boolean due; // taken off its bucket by a sweep, its expiry not run yet

    /** Runs on the event loop that armed this timeout, once, when it is due and not cancelled. */
    abstract void expired();

    /** True while armed on a wheel (not yet expired or cancelled). */
    final boolean armed() {
      return wheel != null;
    }
  }

  private record Entry(Thread loop, Wheel wheel) {}

  private final ReentrantLock adding = new ReentrantLock();
  private volatile Entry[] loops = new Entry[0];

  LoopTimeouts() {
    this(TICK_NANOS, BUCKETS);
  }

  /** A wheel of {@code buckets} (a power of two) slots of {@code tickNanos} (≥ 1 ms) each. */
  LoopTimeouts(long tickNanos, int buckets) {
    if (tickNanos < TimeUnit.MILLISECONDS.toNanos(1) || Integer.bitCount(buckets) != 1) {
      throw new IllegalArgumentException(
          "tick " + tickNanos + " ns / buckets " + buckets + ": need ≥ 1 ms and a power of two");
    }
    this.tickNanos = tickNanos;
    this.buckets = buckets;
  }

  /**
   * Arms {@code t} to expire {@code nanos} from now on the calling event loop. Returns false, and
   * arms nothing, when the caller is not on an event loop (or {@code t} is armed already).
   */
  boolean arm(Timeout t, long nanos) {
    if (t.wheel != null || !io.vertx.core.Context.isOnEventLoopThread()) {
      return false;
    }
    io.vertx.core.Context current = io.vertx.core.Vertx.currentContext();
    if (!(current instanceof ContextInternal ctx)) {
      return false;
    }
    wheel(ctx).add(t, nanos);
    return true;
  }

  /** Cancels {@code t} if armed; a no-op otherwise. */
  static void cancel(Timeout t) {
    Wheel w = t.wheel;
    if (w == null) {
      return;
    }
    if (Thread.currentThread() == w.thread) {
      w.remove(t);
    } else {
      w.ctx.runOnContext(v -> w.remove(t));
    }
  }

  /** How many timeouts the calling loop's wheel holds (tests). */
  int armedOnThisLoop() {
    Thread me = Thread.currentThread();
    for (Entry e : loops) {
      if (e.loop() == me) {
        return e.wheel().size;
      }
    }
    return 0;
  }

  private Wheel wheel(ContextInternal ctx) {
    Thread me = Thread.currentThread();
    for (Entry e : loops) {
      if (e.loop() == me) {
        return e.wheel();
      }
    }
    adding.lock();
    try {
      Entry[] now = loops;
      for (Entry e : now) {
        if (e.loop() == me) {
          return e.wheel();
        }
      }
      Entry[] next = java.util.Arrays.copyOf(now, now.length + 1);
      next[now.length] = new Entry(me, new Wheel(ctx, me, tickNanos, buckets));
      loops = next;
      return next[now.length].wheel();
    } finally {
      adding.unlock();
    }
  }

  /** One event loop's wheel: buckets of doubly linked nodes by deadline tick. */
  private static final class Wheel {
    final ContextInternal ctx;
    final Thread thread;
    final long tick;
    final int mask;
    final @Nullable Timeout[] buckets;
    long processedTick; // every bucket up to this tick has been swept
    int size;
    long sweeper = -1;

    Wheel(ContextInternal ctx, Thread thread, long tick, int buckets) {
      this.ctx = ctx;
      this.thread = thread;
      this.tick = tick;
      this.mask = buckets - 1;
      this.buckets = new Timeout[buckets];
    }

    void add(Timeout t, long nanos) {
      long now = System.nanoTime();
      if (sweeper < 0) {
        processedTick = Math.floorDiv(now, tick); // empty: nothing older to sweep
        sweeper = ctx.setPeriodic(TimeUnit.NANOSECONDS.toMillis(tick), id -> sweep());
      }
      long due = now + Math.max(0, nanos);
      long at = Math.max(processedTick + 1, Math.ceilDiv(due, tick));
      t.deadlineTick = at;
      t.wheel = this;
      t.due = false;
      int b = (int) (at & mask);
      Timeout head = buckets[b];
      t.prev = null;
      t.next = head;
      if (head != null) {
        head.prev = t;
      }
      buckets[b] = t;
      size++;
    }

    void remove(Timeout t) {
      if (t.wheel != this) {
        return; // expired or cancelled meanwhile
      }
      if (t.due) { // cancelled by an expiry of the same sweep: off its bucket already
        t.due = false;
        t.wheel = null;
        return;
      }
      unlink(t); // the sweeper stops on its next run if nothing is armed by then
      t.wheel = null;
    }

    private void unlink(Timeout t) {
      Timeout p = t.prev;
      Timeout n = t.next;
      if (p == null) {
        buckets[(int) (t.deadlineTick & mask)] = n;
      } else {
        p.next = n;
      }
      if (n != null) {
        n.prev = p;
      }
      t.prev = null;
      t.next = null;
      size--;
    }

    private void stop() {
      if (sweeper >= 0) {
        ctx.owner().cancelTimer(sweeper);
        sweeper = -1;
      }
    }

    void sweep() {
      long current = Math.floorDiv(System.nanoTime(), tick);
      long from = processedTick + 1;
      if (current - from > mask) { // a long stall: one pass over every bucket suffices
        from = current - mask;
      }
      Timeout due = null; // in sweep order: tick by tick (after a stall longer than a
      Timeout last = null; // revolution, deadline order across revolutions is not kept)
      for (long k = from; k <= current; k++) {
        Timeout t = buckets[(int) (k & mask)];
        while (t != null) {
          Timeout n = t.next;
          if (t.deadlineTick <= current) {
            unlink(t);
            t.due = true;
            if (last == null) {
              due = t;
            } else {
              last.expiredNext = t;
            }
            last = t;
          }
          t = n;
        }
      }
      processedTick = current;
      // callbacks last: they may arm or cancel other timeouts on this wheel
      while (due != null) {
        Timeout n = due.expiredNext;
        due.expiredNext = null;
        if (due.due && due.wheel == this) { // not cancelled by an earlier expiry
          due.due = false;
          due.wheel = null;
          due.expired();
        }
        due = n;
      }
      if (size == 0) {
        stop();
      }
    }
  }
}
