package io.bulwark.resilience;

/**
 * What the striped structures ({@link StripedGcra}, {@link Permits}, {@link TimeWindow}) share: how
 * many stripes the cores call for, and which stripe is a thread's home. Consecutive thread ids
 * (platform and virtual threads are numbered in creation order) land on different stripes.
 */
final class Stripes {
  private Stripes() {}

  /** Twice the processors rounded up to a power of two, at most {@code max} (a power of two). */
  static int forCores(int processors, int max) {
    return Math.min(max, 2 * Integer.highestOneBit(Math.max(1, processors) * 2 - 1));
  }

  /** The calling thread's home stripe among {@code mask + 1} (a power of two). */
  static int home(int mask) {
    return (int) Thread.currentThread().threadId() & mask;
  }
}
