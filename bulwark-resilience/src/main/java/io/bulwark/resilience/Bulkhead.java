package io.bulwark.resilience;

import io.bulwark.core.time.Scheduler;

/**
 * Caps how many calls run at once. A call takes a permit before it runs, waiting up to {@code
 * maxWait} (timed on the injected scheduler) and is rejected with {@link Rejection#BULKHEAD_FULL}
 * if none frees up. The permit is released only when the work has really ended: in a pipeline the
 * bulkhead sits below the timeout, so a timed-out call keeps its permit until its thread stops.
 *
 * <p>Guarantee: never more than {@code maxConcurrent} calls hold a permit. Thread-safe; the fast
 * path is one compare-and-set each way, on a stripe of the permits chosen by the caller's thread
 * when the bulkhead is large enough to split (8 permits or more per stripe), so cores seldom write
 * the same cache line. For {@code CompletionStage} calls the wait does not block the caller: the
 * stage goes on (on a virtual thread) once a release hands it a permit, and the permit is released
 * when the stage completes; it goes on under the caller's {@link io.bulwark.core.context.Context}.
 * A {@link #release()} when every permit is already free throws {@link IllegalStateException} (a
 * stray release while some are held goes unnoticed until a later, rightful release throws).
 */
public sealed interface Bulkhead extends Policy permits DefaultBulkhead {

  static Bulkhead of(String name, BulkheadConfig config, Scheduler scheduler) {
    return new DefaultBulkhead(name, config, scheduler);
  }

  /** A bulkhead of {@code maxConcurrent} that never waits (so needs no scheduler). */
  static Bulkhead of(String name, int maxConcurrent) {
    return of(
        name, BulkheadConfig.builder().maxConcurrent(maxConcurrent).build(), Defaults.scheduler());
  }

  /** A bulkhead with the defaults of {@link BulkheadConfig#builder()} (25 at once, no wait). */
  static Bulkhead ofDefaults(String name, Scheduler scheduler) {
    return of(name, BulkheadConfig.builder().build(), scheduler);
  }

  static BulkheadConfig.Builder builder() {
    return BulkheadConfig.builder();
  }

  BulkheadConfig config();

  /** Permits free right now. */
  int availablePermits();

  /** For callers outside a pipeline: takes a permit without waiting; release it when done. */
  boolean tryAcquire();

  /** Returns a permit taken with {@link #tryAcquire()}. */
  void release();
}
