package io.bulwark.examples.shop.gameday;

import io.bulwark.runtime.InstanceHandle;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One step of a {@link Scenario}: at {@code fraction} of the run's duration, {@code action} runs on
 * the system's instances.
 *
 * @param fraction when, as a fraction of the duration, in [0, 1)
 * @param title what happens, in a few words (shown in the live view and the report)
 * @param action what to do, given the instances by id ({@code payments-2})
 * @param guarantee whether the step checks a guarantee: if its action fails, the run fails (an
 *     intruder who got through), where another step's failure is only reported
 */
public record Step(double fraction, String title, Action action, boolean guarantee) {
  /** A step whose failure is reported, not a failed guarantee. */
  public Step(double fraction, String title, Action action) {
    this(fraction, title, action, false);
  }

  public Step {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(action, "action");
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException(
          "step \"" + title + "\": fraction must be in [0, 1), was " + fraction);
    }
  }

  /** What a step does to the running system. */
  @FunctionalInterface
  public interface Action {
    /** Acts on the instances, found by id; may block (a deploy waits for readiness). */
    void run(Function<String, InstanceHandle> instances);

    /**
     * Acts with the game day's chaos ({@code null} when the game day has none); by default {@link
     * #run(Function)}. Returns what came of it in a line (a rollout's verdict), or null when there
     * is nothing to say beyond the title.
     */
    default @Nullable String run(
        Function<String, InstanceHandle> instances, @Nullable GameDayChaos chaos) {
      run(instances);
      return null;
    }

    /** Does nothing: a marker in the timeline. */
    static Action none() {
      return instances -> {};
    }

    /** A step that acts through the game day's chaos; it fails (naming why) without one. */
    static Action chaos(ChaosAction action) {
      Objects.requireNonNull(action, "action");
      return chaosWithOutcome(
          (instances, chaos) -> {
            action.run(instances, chaos);
            return "";
          });
    }

    /**
     * A step that acts through the game day's chaos and says what came of it (its {@link
     * StepEvent#outcome()}); it fails (naming why) without chaos.
     */
    static Action chaosWithOutcome(ChaosOutcome action) {
      Objects.requireNonNull(action, "action");
      return new Action() {
        @Override
        public void run(Function<String, InstanceHandle> instances) {
          run(instances, null);
        }

        @Override
        public @Nullable String run(
            Function<String, InstanceHandle> instances, @Nullable GameDayChaos chaos) {
          if (chaos == null) {
            throw new IllegalStateException(
                "this step injects chaos faults, but the game day was given no chaos controller");
          }
          String outcome = action.run(instances, chaos);
          return outcome == null || outcome.isEmpty() ? null : outcome;
        }
      };
    }
  }

  /** What a chaos step does, given the instances and the game day's chaos. */
  @FunctionalInterface
  public interface ChaosAction {
    void run(Function<String, InstanceHandle> instances, GameDayChaos chaos);
  }

  /**
   * What a chaos step does, returning what came of it in a line, or an empty string when there is
   * nothing to say beyond the title.
   */
  @FunctionalInterface
  public interface ChaosOutcome {
    String run(Function<String, InstanceHandle> instances, GameDayChaos chaos);
  }
}
