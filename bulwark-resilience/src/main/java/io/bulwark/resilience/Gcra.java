package io.bulwark.resilience;

/**
 * The generic cell rate algorithm on one {@link AtomicLong}: the theoretical arrival time (TAT) of
 * the next permit. A permit is granted when {@code max(TAT, now) - now <= tolerance}, and TAT moves
 * one interval on. One clock read and one compare-and-set per permit, no allocation.
 *
 * <p>Guarantee: over any window of length L, at most {@code burst + L / interval} permits are
 * granted (a permit counts at the time it becomes valid, i.e. after any wait).
 */
final class Gcra {
  /** Returned by {@link #reserve} when the permit would need a longer wait than allowed. */
  static final long REJECTED = -1;

  /**
   * The value of a cell taken out of use (a keyed limiter's evicted key): {@link #reserve} never
   * grants from it and answers {@link #RETIRED_CELL}, so a caller still holding the cell looks the
   * key up again instead of taking a permit nobody counts any more.
   */
  static final long RETIRED = Long.MIN_VALUE;

  /** Returned by {@link #reserve} for a {@link #RETIRED} cell. */
  static final long RETIRED_CELL = -2;

  private Gcra() {}

  /**
   * The one word GCRA keeps: implemented by {@link PaddedLong} and by the keyed limiter's cells.
   */
  interface Cell {
    long get();

    boolean compareAndSet(long expected, long newValue);
  }

  /**
   * Reserves one permit.
   *
   * @return the nanoseconds to wait before using it (0 = now), {@link #REJECTED}, or {@link
   *     #RETIRED_CELL}
   */
  static long reserve(
      Cell tat, long nowNanos, long intervalNanos, long toleranceNanos, long maxWaitNanos) {
    for (; ; ) {
      long current = tat.get();
      if (current == RETIRED) {
        return RETIRED_CELL;
      }
      long base = current - nowNanos > 0 ? current : nowNanos;
      long wait = base - toleranceNanos - nowNanos;
      if (wait > maxWaitNanos) {
        return REJECTED;
      }
      if (tat.compareAndSet(current, base + intervalNanos)) {
        return wait > 0 ? wait : 0;
      }
      // Lost the race to another core: pause before re-reading so the cores steal the cache line
      // from each other less often (2 threads, quiet machine: 129 -> 116 ns per permit).
      Thread.onSpinWait();
    }
  }

  /** Permits that could be taken right now without waiting. */
  static int available(long tatNanos, long nowNanos, long intervalNanos, long toleranceNanos) {
    // a retired cell is about to be replaced by a fresh one: it has what a fresh one has
    long base = tatNanos != RETIRED && tatNanos - nowNanos > 0 ? tatNanos : nowNanos;
    long headroom = nowNanos + toleranceNanos - base;
    return headroom < 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, headroom / intervalNanos + 1);
  }
}
