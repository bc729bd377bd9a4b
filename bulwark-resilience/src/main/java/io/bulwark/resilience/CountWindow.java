package io.bulwark.resilience;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The last N outcomes in a lock-free ring. A call claims a sequence number with one {@code
 * getAndIncrement} and swaps its outcome into that number's slot with one {@code getAndSet}; the
 * failure and slow counters change only when the swapped-out outcome differs from the new one.
 *
 * <p>A success that finds the ring full of successes writes nothing at all: it reads three words
 * that nobody writes while calls succeed, so cores recording a healthy dependency's calls share
 * those cache lines instead of passing a line back and forth on every call.
 *
 * <p>Design notes. Because each slot is swapped atomically, every outcome is added to the counters
 * exactly once and removed exactly once, whatever the interleaving; the counters always equal the
 * content of the ring (the call count may lead the ring by the calls still writing their slot). A
 * success that skips is exact too: the window is a FIFO of the last N outcomes and only its counts
 * are ever read, and a FIFO of N successes is the same after one more success goes in and the
 * oldest comes out. If a failure is recorded concurrently, the skipping success is ordered before
 * it (it read the counters before the failure counted itself), which leaves the same counts.
 * Likewise a call whose slot already holds its outcome leaves the slot as it is.
 *
 * <p>Every call that writes (or finds its slot already holding its outcome) tells the breaker
 * whether the ring holds any failure or slow call, so that a success, too, re-judges the rates (it
 * may complete {@code minimumCalls}, or push out a success and leave the rate at the threshold);
 * the skipping success needs no judgement, the ring it leaves holds no failure.
 */
final class CountWindow implements OutcomeWindow {
  private static final int PRESENT = 1;
  private static final int FAILURE = 2;
  private static final int SLOW = 4;

  private final int size;
  private final int stride;
  private final AtomicIntegerArray slots;
  private final PaddedLong cursor = new PaddedLong(0);
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger slow = new AtomicInteger();

  CountWindow(int size) {
    this.size = size;
    this.stride = strideFor(size);
    this.slots = new AtomicIntegerArray(size);
  }

  /**
   * Consecutive calls write slots {@code stride} apart (a permutation of the ring, since the stride
   * is coprime with the size), so concurrent calls do not fight over one cache line.
   */
  private static int strideFor(int size) {
    for (int candidate : new int[] {17, 19, 23, 29, 31, 37}) {
      if (size % candidate != 0) {
        return candidate % size;
      }
    }
    return 1;
  }

  @Override
  public boolean record(long nowNanos, boolean failure, boolean slowCall) {
    int code = PRESENT | (failure ? FAILURE : 0) | (slowCall ? SLOW : 0);
    if (code == PRESENT && failures.get() == 0 && slow.get() == 0 && cursor.get() >= size) {
      return false;
    }
    long seq = cursor.getAndAdd(1);
    int slot = (int) ((seq % size) * stride % size);
    if (slots.get(slot) == code) {
      return holdsFailuresOrSlowCalls();
    }
    int old = slots.getAndSet(slot, code);
    if (old != code) {
      int failureDelta = ((code & FAILURE) - (old & FAILURE)) / FAILURE;
      int slowDelta = ((code & SLOW) - (old & SLOW)) / SLOW;
      if (failureDelta != 0) {
        failures.addAndGet(failureDelta);
      }
      if (slowDelta != 0) {
        slow.addAndGet(slowDelta);
      }
    }
    return holdsFailuresOrSlowCalls();
  }

  private boolean holdsFailuresOrSlowCalls() {
    return failures.get() != 0 || slow.get() != 0;
  }

  @Override
  public CircuitBreaker.Metrics metrics(long nowNanos) {
    int calls = calls();
    return new CircuitBreaker.Metrics(
        calls, Math.min(calls, failures.get()), Math.min(calls, slow.get()));
  }

  @Override
  public boolean crosses(long nowNanos, Thresholds rule) {
    int calls = calls();
    return rule.crossedBy(calls, Math.min(calls, failures.get()), Math.min(calls, slow.get()));
  }

  private int calls() {
    return (int) Math.min(cursor.get(), size);
  }

  @Override
  public String describe(int calls) {
    return "the last " + calls + " calls";
  }
}
