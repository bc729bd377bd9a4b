package io.bulwark.chaos.experiment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One step of an experiment's method: {@code fault} is active from {@code at} (offset from the
 * start of the run) for {@code duration}, then expires; with a {@link Ramp} its share of the
 * requests grows stage by stage (each stage replaces the previous one's fault).
 *
 * @param name the step's name, unique in the experiment
 * @param at when the fault starts, as an offset from the start of the run
 * @param duration how long it lasts; faults always expire
 * @param fault what to inject
 * @param ramp a growing blast radius, or null for a fixed share ({@link StepFault#percent()})
 */
public record Step(
    String name, Duration at, Duration duration, StepFault fault, @Nullable Ramp ramp) {
  public Step {
    StepFault.checkName("step name", name);
    if (at.isNegative()) {
      throw new IllegalArgumentException("step " + name + ": at must not be negative, was " + at);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "step " + name + ": duration must be positive (faults always expire), was " + duration);
    }
  }

  /** When the step's fault is gone. */
  public Duration end() {
    return at.plus(duration);
  }

  /**
   * The fault activations this step makes, in time order: one for a fixed share; one per ramp stage
   * otherwise, each lasting until the next stage (the last until the step ends).
   */
  public List<Stage> stages() {
    if (ramp == null) {
      return List.of(new Stage(at, duration, fault));
    }
    List<Stage> out = new ArrayList<>();
    Duration start = at;
    List<Double> shares = ramp.stages();
    for (int i = 0; i < shares.size() && start.compareTo(end()) < 0; i++) {
      boolean last = i == shares.size() - 1;
      Duration until = last ? end() : min(end(), start.plus(ramp.every()));
      out.add(new Stage(start, until.minus(start), fault.withPercent(shares.get(i))));
      start = until;
    }
    return out;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * One activation of a step's fault.
   *
   * @param at offset from the start of the run
   * @param duration time to live of the activation
   * @param fault the fault with this stage's share
   */
  public record Stage(Duration at, Duration duration, StepFault fault) {}
}
