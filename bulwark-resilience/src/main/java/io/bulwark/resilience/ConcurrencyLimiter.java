package io.bulwark.resilience;

import io.bulwark.core.context.Criticality;
import io.bulwark.core.time.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * An adaptive concurrency limit: how many calls may be in flight is not configured but learned from
 * latency and drops by a pluggable {@link io.bulwark.resilience.limit.LimitAlgorithm} (AIMD, Vegas,
 * Gradient2). The limiter only enforces; the algorithm only estimates.
 *
 * <p>Criticality-aware: a call's {@link Criticality} (from the current {@link
 * io.bulwark.core.context.Context}) decides how much of the limit it may fill, so under pressure
 * SHEDDABLE calls are rejected first and CRITICAL_PLUS calls last ({@link
 * Rejection#CONCURRENCY_LIMIT}). Never waits. Thread-safe; admission is one compare-and-set,
 * samples are folded into the estimate under a short lock.
 *
 * <p>Progress guarantee: every criticality may fill at least one permit, however low the limit
 * falls ({@code admissible(c) = max(1, floor(limit × share(c)))}). So whenever nothing is in
 * flight, the next call of any criticality is admitted; calls keep ending, every ended call is a
 * sample, and the limit can always rise again once the dependency recovers. No traffic is locked
 * out by a limit the algorithm has no samples to raise. At the lowest limits the shares can no
 * longer tell criticalities apart by count: a call of any criticality then takes the free permit,
 * and a lower one is shed while a higher one holds it.
 *
 * <p>In a pipeline, a call is a drop for the algorithm if it was rejected further on, timed out
 * below the limiter, or ended after its context deadline had passed (whatever it threw or
 * returned): so a timeout above the limiter, which sets that deadline and then interrupts or
 * cancels the work, reaches the algorithm as a drop, not as the worker's {@code
 * InterruptedException}.
 */
public sealed interface ConcurrencyLimiter extends Policy permits DefaultConcurrencyLimiter {

  /** A limiter on the shared {@link Scheduler#system()}. */
  static ConcurrencyLimiter of(String name, ConcurrencyLimiterConfig config) {
    return of(name, config, Defaults.scheduler());
  }

  /** A limiter that times its calls on {@code scheduler}'s clock. */
  static ConcurrencyLimiter of(String name, ConcurrencyLimiterConfig config, Scheduler scheduler) {
    return new DefaultConcurrencyLimiter(name, config, scheduler.clock());
  }

  /** A limiter with the defaults of {@link ConcurrencyLimiterConfig#builder()} (Gradient2). */
  static ConcurrencyLimiter ofDefaults(String name, Scheduler scheduler) {
    return of(name, ConcurrencyLimiterConfig.builder().build(), scheduler);
  }

  static ConcurrencyLimiterConfig.Builder builder() {
    return ConcurrencyLimiterConfig.builder();
  }

  ConcurrencyLimiterConfig config();

  /** The current limit. */
  int limit();

  /** Calls in flight now. */
  int inflight();

  /**
   * How many calls of {@code criticality} may be in flight at the current limit: {@code max(1,
   * floor(limit × share))}, never 0.
   */
  int admissible(Criticality criticality);

  /**
   * Admits one call of {@code criticality} outside a pipeline (a server's front door admits a
   * request before reading its body), or returns null if the call is to be shed. Never blocks; the
   * rejection is reported to listeners as in a pipeline. The caller must release the permit when
   * the call ends; its latency, measured on the limiter's clock from this call, is a sample for the
   * limit algorithm.
   */
  @Nullable Permit tryAcquire(Criticality criticality);

  /** One admitted call; releasing it more than once has no further effect. */
  interface Permit {
    /**
     * The call ended. {@code dropped} is true if it failed in a way that signals overload (it timed
     * out, was rejected further on, or the server answered 5xx), which the algorithm takes as a
     * congestion signal.
     */
    void release(boolean dropped);
  }
}
