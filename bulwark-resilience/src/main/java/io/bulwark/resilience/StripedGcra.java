package io.bulwark.resilience;

/**
 * A GCRA limit split over N stripes, so that cores taking permits at a high rate do not all write
 * one word. Stripe {@code i} runs GCRA at {@code rate / N} with burst {@code b_i}, where the {@code
 * b_i} add up to the configured burst. A caller takes a permit from its home stripe (chosen by its
 * thread id, so consecutive threads land on different stripes) and, if that stripe has none, from
 * any other; only when no stripe has a permit is it refused or made to wait.
 *
 * <p>Design notes. The guarantee is exact, not approximate: over any window of length L stripe
 * {@code i} grants at most {@code b_i + L × rate / N} permits, and the sum over stripes is {@code
 * burst + L × rate} — the same bound one GCRA gives. Because a caller may take from any stripe, one
 * caller alone still gets the full rate and, after a quiet spell, the full burst. What striping
 * costs is smoothness: once the burst is spent, a stripe's permits come {@code N × interval} apart,
 * so the next permit may be up to {@code N × interval} away instead of {@code interval}. The
 * limiter therefore stripes only when that is at most {@link #MAX_SPREAD_NANOS} (rates of a few
 * hundred thousand permits per second and more, which are exactly the rates where one shared word
 * becomes the bottleneck), and never more stripes than the burst has permits.
 *
 * <p>Thread-safe and lock-free; a permit costs one clock read and one compare-and-set on the
 * caller's home stripe.
 */
final class StripedGcra {
  /** The largest gap between permits that striping may add, in nanoseconds. */
  static final long MAX_SPREAD_NANOS = 10_000;

  private static final int MAX_STRIPES = 64;

  private final PaddedLong[] stripes;
  private final long[] toleranceNanos;
  private final long intervalNanos;
  private final int mask;

  /**
   * @param intervalNanos the interval between permits of the whole limit
   * @param burst the burst of the whole limit
   * @param nowNanos the clock's time now (every stripe starts with its full burst)
   * @param stripeCount the number of stripes, a power of two no larger than {@code burst}
   */
  StripedGcra(long intervalNanos, int burst, long nowNanos, int stripeCount) {
    if (Integer.bitCount(stripeCount) != 1 || stripeCount > burst) {
      throw new IllegalArgumentException(
          "stripes must be a power of two ≤ burst " + burst + ", was " + stripeCount);
    }
    this.intervalNanos = intervalNanos * stripeCount;
    this.mask = stripeCount - 1;
    this.stripes = new PaddedLong[stripeCount];
    this.toleranceNanos = new long[stripeCount];
    for (int i = 0; i < stripeCount; i++) {
      int stripeBurst = burst / stripeCount + (i < burst % stripeCount ? 1 : 0);
      stripes[i] = new PaddedLong(nowNanos);
      toleranceNanos[i] = (stripeBurst - 1) * this.intervalNanos;
    }
  }

  /**
   * The stripe count for a limit: 1 unless the rate is high enough that {@code N × interval} stays
   * within {@link #MAX_SPREAD_NANOS}; at most twice the processors (rounded up to a power of two),
   * 64 and the burst.
   */
  static int stripesFor(long intervalNanos, int burst, int processors) {
    long byCores = Stripes.forCores(processors, MAX_STRIPES);
    long bySpread = Math.max(1, MAX_SPREAD_NANOS / intervalNanos);
    return (int) Long.highestOneBit(Math.min(Math.min(byCores, bySpread), burst));
  }

  int stripeCount() {
    return stripes.length;
  }

  /** Takes a permit that is free at {@code nowNanos}, from any stripe; false if none is. */
  boolean tryAcquire(long nowNanos) {
    int home = Stripes.home(mask);
    for (int k = 0; k <= mask; k++) {
      int i = (home + k) & mask;
      if (Gcra.reserve(stripes[i], nowNanos, intervalNanos, toleranceNanos[i], 0) == 0) {
        return true;
      }
    }
    return false;
  }

  /** The stripe whose next permit is due first (for a caller about to wait). */
  int earliestStripe(long nowNanos) {
    int best = 0;
    long bestWait = Long.MAX_VALUE;
    for (int i = 0; i <= mask; i++) {
      long tat = stripes[i].get();
      long wait = (tat - nowNanos > 0 ? tat : nowNanos) - toleranceNanos[i] - nowNanos;
      if (wait < bestWait) {
        best = i;
        bestWait = wait;
      }
    }
    return best;
  }

  /**
   * Reserves a permit on {@code stripe} that may be up to {@code maxWaitNanos} away.
   *
   * @return the nanoseconds to wait, or {@link Gcra#REJECTED}
   */
  long reserve(int stripe, long nowNanos, long maxWaitNanos) {
    return Gcra.reserve(
        stripes[stripe], nowNanos, intervalNanos, toleranceNanos[stripe], maxWaitNanos);
  }

  /**
   * Gives back a permit that {@link #reserve} granted at {@code nowNanos} with a wait of {@code
   * waitNanos > 0} and that will not be used, if no later permit was reserved on its stripe since
   * (then the limiter is as if it had never been reserved). Otherwise the permit stays spent.
   *
   * @return whether the permit was given back
   */
  boolean cancel(int stripe, long nowNanos, long waitNanos) {
    long end = nowNanos + waitNanos + toleranceNanos[stripe] + intervalNanos;
    return stripes[stripe].compareAndSet(end, end - intervalNanos);
  }

  /** Permits that could be taken at {@code nowNanos} without waiting, over all stripes. */
  int available(long nowNanos) {
    long sum = 0;
    for (int i = 0; i <= mask; i++) {
      sum += Gcra.available(stripes[i].get(), nowNanos, intervalNanos, toleranceNanos[i]);
    }
    return (int) Math.min(Integer.MAX_VALUE, sum);
  }
}
