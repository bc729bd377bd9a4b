package io.bulwark.chaos.experiment;

import io.bulwark.telemetry.slo.Slo;
import io.bulwark.telemetry.store.TimeSeriesStore;

/**
 * Where a run reads how much error budget each SLO has left before it starts (for the budget
 * floor): usually the service's own long-retention store.
 */
@FunctionalInterface
public interface BudgetSource {

  /** The fraction of {@code slo}'s error budget left over its window (may be negative). */
  double remaining(Slo slo);

  /** Reads the remaining budget from {@code store} ({@link Slo#errorBudgetRemaining}). */
  static BudgetSource of(TimeSeriesStore store) {
    return slo -> slo.errorBudgetRemaining(store);
  }
}
