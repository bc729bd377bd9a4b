package io.bulwark.resilience;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The outcomes of the last N seconds in N one-second buckets. Buckets that fall out of the window
 * are cleared lazily when the window is next touched. A short lock guards the buckets; it is held
 * for a few arithmetic operations only.
 */
final class TimeWindow implements OutcomeWindow {
  private static final long SECOND = 1_000_000_000L;

  private final int seconds;
  private final long originNanos;
  private final int[] calls;
  private final int[] failures;
  private final int[] slow;
  private final ReentrantLock lock = new ReentrantLock();
  private long currentEpoch;
  private int totalCalls;
  private int totalFailures;
  private int totalSlow;

  TimeWindow(int seconds, long nowNanos) {
    this.seconds = seconds;
    this.originNanos = nowNanos;
    this.calls = new int[seconds];
    this.failures = new int[seconds];
    this.slow = new int[seconds];
  }

  @Override
  public void record(long nowNanos, boolean failure, boolean slowCall) {
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

  @Override
  public CircuitBreaker.Metrics metrics(long nowNanos) {
    lock.lock();
    try {
      rotate(nowNanos);
      return new CircuitBreaker.Metrics(totalCalls, totalFailures, totalSlow);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String describe(int callCount) {
    return "the last " + seconds + "s (" + callCount + " calls)";
  }

  /** Clears the buckets that left the window; returns the bucket of {@code nowNanos}. */
  private int rotate(long nowNanos) {
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
