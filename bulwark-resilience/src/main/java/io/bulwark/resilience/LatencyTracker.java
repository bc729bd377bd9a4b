package io.bulwark.resilience;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The latency percentile of the last {@value #SIZE} samples, recomputed every {@value #EVERY}
 * samples by the thread that records (sorting a copy, under a try-lock so no one waits).
 */
final class LatencyTracker {
  static final int SIZE = 512;
  static final int EVERY = 16;

  private final double percentile;
  private final AtomicLongArray samples = new AtomicLongArray(SIZE);
  private final AtomicLong count = new AtomicLong();
  private final ReentrantLock computing = new ReentrantLock();
  private volatile long estimateNanos = -1;

  LatencyTracker(double percentile) {
    this.percentile = percentile;
  }

  void record(long nanos) {
    long n = count.getAndIncrement();
    samples.set((int) (n % SIZE), nanos);
    if (n % EVERY == EVERY - 1 && computing.tryLock()) {
      try {
        int filled = (int) Math.min(n + 1, SIZE);
        long[] copy = new long[filled];
        for (int i = 0; i < filled; i++) {
          copy[i] = samples.get(i);
        }
        Arrays.sort(copy);
        int index = (int) Math.min(filled - 1, Math.ceil(percentile / 100 * filled) - 1);
        estimateNanos = copy[Math.max(0, index)];
      } finally {
        computing.unlock();
      }
    }
  }

  long count() {
    return count.get();
  }

  /** The last computed percentile, or -1 before the first computation. */
  long estimateNanos() {
    return estimateNanos;
  }
}
