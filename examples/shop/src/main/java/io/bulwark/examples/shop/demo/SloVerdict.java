package io.bulwark.examples.shop.demo;

/**
 * One user-facing SLO judged over a run.
 *
 * @param name the SLO's name
 * @param objective the target fraction of good events
 * @param good good events
 * @param total all events
 * @param budgetRemaining fraction of the error budget left: {@code 1 - bad / ((1 - objective) ×
 *     total)}; 1 with no events, negative when overspent
 * @param holds whether the objective held: {@code bad <= (1 - objective) × total}, exactly
 */
public record SloVerdict(
    String name, double objective, long good, long total, double budgetRemaining, boolean holds) {

  /** Good / total (1 with no events). */
  public double ratio() {
    return total == 0 ? 1 : (double) good / total;
  }
}
