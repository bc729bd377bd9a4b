package io.bulwark.resilience;

import io.bulwark.core.time.Scheduler;

/**
 * Hedged requests: when an attempt has not answered after a delay (fixed, or a latency percentile
 * of recent successful attempts), a backup attempt is sent; the first success wins and the losers
 * are cancelled (their virtual threads interrupted, their stages cancelled). Each backup takes a
 * token from the shared {@link RetryBudget} when one is configured, so hedging adds a bounded
 * fraction of load. If every attempt fails, the call fails with the last failure.
 *
 * <p>Blocking calls run each attempt on a virtual thread under the caller's context. Timed on the
 * injected scheduler. Thread-safe.
 */
public sealed interface Hedge extends Policy permits DefaultHedge {

  static Hedge of(String name, HedgeConfig config, Scheduler scheduler) {
    return new DefaultHedge(name, config, scheduler);
  }

  /** A hedge with the defaults of {@link HedgeConfig#builder()} (one backup after 100 ms). */
  static Hedge ofDefaults(String name, Scheduler scheduler) {
    return of(name, HedgeConfig.builder().build(), scheduler);
  }

  static HedgeConfig.Builder builder() {
    return HedgeConfig.builder();
  }

  HedgeConfig config();

  /** The delay a backup would wait now (the percentile estimate or the fixed delay). */
  long currentDelayNanos();
}
