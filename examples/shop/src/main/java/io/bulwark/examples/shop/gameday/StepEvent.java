package io.bulwark.examples.shop.gameday;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A step of a game day as it happened.
 *
 * @param step the step
 * @param planned when it was due, after the game day's start
 * @param started when it started, after the game day's start
 * @param took how long its action ran (0 while announcing the start)
 * @param error why the action failed, or null if it succeeded (or has not finished)
 * @param outcome what came of the action in a line (a rollout's verdict), or null
 */
public record StepEvent(
    Step step,
    Duration planned,
    Duration started,
    Duration took,
    @Nullable String error,
    @Nullable String outcome) {

  /** A step event without an outcome line. */
  public StepEvent(
      Step step, Duration planned, Duration started, Duration took, @Nullable String error) {
    this(step, planned, started, took, error, null);
  }

  /** True if the action ran and did not fail. */
  public boolean ok() {
    return error == null;
  }
}
