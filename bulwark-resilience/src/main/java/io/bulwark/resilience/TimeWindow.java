package io.bulwark.resilience;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outcomes of the last N seconds in N one-second buckets. Buckets that fall out of the window
 * are cleared lazily when the window is next touched.
 *
 * <p>The buckets are kept in stripes, each with its own short lock (held for a few arithmetic
 * operations): a call records into the stripe of its thread, so cores recording at once take
 * different locks and write different cache lines. The counts are the sums over the stripes; each
 * stripe is exact, so the sums are too (read stripe by stripe, they may miss a call recorded while
 * they are read, as any read racing a write would).
 *
 * <p>A failure or slow call also raises {@link #lastFlaggedNanos}; a success asks the breaker to
 * re-judge the rates only while such a call may still be inside the window, so the successes of a
 * healthy dependency only read that one word.
 */
final class TimeWindow implements OutcomeWindow {
  private static final long SECOND = 1_000_000_000L;

  private final int seconds;
  private final Buckets[] stripes;
  private final int mask;
  private final long spanNanos;
  private final AtomicLong lastFlaggedNanos = new AtomicLong(Long.MIN_VALUE);

  TimeWindow(int seconds, long nowNanos) {
    this(seconds, nowNanos, stripesFor(Runtime.getRuntime().availableProcessors()));
  }

  TimeWindow(int seconds, long nowNanos, int stripes) {
    if (Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two, was " + stripes);
    }
    this.seconds = seconds;
    this.mask = stripes - 1;
    this.spanNanos = (seconds + 1L) * SECOND; // a bucket lives up to one second past the window
    this.stripes = new Buckets[stripes];
    for (int i = 0; i < stripes; i++) {
      this.stripes[i] = new Buckets(seconds, nowNanos);
    }
  }

  /** Twice the processors (as a power of two), at most 4: each stripe holds N buckets. */
  static int stripesFor(int processors) {
    return Stripes.forCores(processors, 4);
  }

  @Override
  public boolean record(long nowNanos, boolean failure, boolean slowCall) {
    if (failure || slowCall) {
      lastFlaggedNanos.accumulateAndGet(nowNanos, Math::max);
    }
    stripes[Stripes.home(mask)].record(nowNanos, failure, slowCall);
    long last = lastFlaggedNanos.get();
    return last != Long.MIN_VALUE && nowNanos - last < spanNanos;
  }

  @Override
  public CircuitBreaker.Metrics metrics(long nowNanos) {
    CircuitBreaker.Metrics[] read = new CircuitBreaker.Metrics[1];
    crosses(
        nowNanos,
        (calls, failures, slow) -> {
          read[0] = new CircuitBreaker.Metrics(calls, failures, slow);
          return false;
        });
    return read[0];
  }

  @Override
  public boolean crosses(long nowNanos, Thresholds rule) {
    int calls = 0;
    int failures = 0;
    int slow = 0;
    for (Buckets b : stripes) {
      b.lock.lock();
      try {
        b.rotate(nowNanos);
        calls += b.totalCalls;
        failures += b.totalFailures;
        slow += b.totalSlow;
      } finally {
        b.lock.unlock();
      }
    }
    return rule.crossedBy(calls, failures, slow);
  }

  @Override
  public String describe(int callCount) {
    return "the last " + seconds + "s (" + callCount + " calls)";
  }

  /** One stripe: N one-second buckets and their totals, under one lock. */
  private static final class Buckets {
    final ReentrantLock lock = new ReentrantLock();
    private final int seconds;
    private final long originNanos;
    private final int[] calls;
    private final int[] failures;
    private final int[] slow;
    private long currentEpoch;
    int totalCalls;
    int totalFailures;
    int totalSlow;

    Buckets(int seconds, long nowNanos) {
      this.seconds = seconds;
      this.originNanos = nowNanos;
      this.calls = new int[seconds];
      this.failures = new int[seconds];
      this.slow = new int[seconds];
    }

    void record(long nowNanos, boolean failure, boolean slowCall) {
      lock.lock();
      try {
        int i = rotate(nowNanos);
        calls[i]++;
        totalCalls++;
        if (failure) {
          failures[i]++;
          totalFailures++;
        }
        if (slowCall) {
          slow[i]++;
          totalSlow++;
        }
      } finally {
        lock.unlock();
      }
    }

    /** Clears the buckets that left the window; returns the bucket of {@code nowNanos}. */
    int rotate(long nowNanos) {
      long epoch = Math.max(0, (nowNanos - originNanos) / SECOND);
      if (epoch > currentEpoch) {
        long clearFrom = Math.max(currentEpoch + 1, epoch - seconds + 1);
        for (long e = clearFrom; e <= epoch; e++) {
          int i = (int) (e % seconds);
          totalCalls -= calls[i];
          totalFailures -= failures[i];
          totalSlow -= slow[i];
          calls[i] = 0;
          failures[i] = 0;
          slow[i] = 0;
        }
        currentEpoch = epoch;
      }
      return (int) (currentEpoch % seconds);
    }
  }
}
