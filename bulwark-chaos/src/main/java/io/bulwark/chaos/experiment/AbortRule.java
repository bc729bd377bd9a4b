package io.bulwark.chaos.experiment;

import java.time.Duration;

/**
 * When a run stops itself: at every tick, for every SLO of the hypothesis, the burn rate of the
 * traffic measured during the run over the last {@code window} (error ratio / error budget) is
 * compared with {@code burnRate}; strictly above it, with at least {@code minEvents} events in the
 * window, the run aborts: faults are cleared, rollbacks run, and the verdict is {@link
 * ExperimentResult.Verdict#ABORTED}. The tick is at most 250 ms, so a burn over the window that
 * crosses the threshold at instant t is acted on by t + 250 ms (well within the 1 s bound).
 *
 * @param burnRate the burn-rate threshold, positive
 * @param window the look-back window, a whole multiple of the tick
 * @param minEvents events needed in the window before a burn counts (low-traffic guard)
 */
public record AbortRule(double burnRate, Duration window, long minEvents) {
  public AbortRule {
    if (!(burnRate > 0) || !Double.isFinite(burnRate)) {
      throw new IllegalArgumentException("abort burn-rate must be positive, was " + burnRate);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("abort window must be positive, was " + window);
    }
    if (minEvents < 1) {
      throw new IllegalArgumentException("abort min-events must be at least 1, was " + minEvents);
    }
  }

  /** Burn above 10x over the last 500 ms with at least 10 events. */
  public static AbortRule defaults() {
    return new AbortRule(10, Duration.ofMillis(500), 10);
  }
}
