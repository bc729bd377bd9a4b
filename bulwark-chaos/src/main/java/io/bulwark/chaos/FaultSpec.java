package io.bulwark.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * A fault to start: what goes wrong, where, for how long, and the experiment it belongs to ({@code
 * ""} for none), with the seed of its random choices (percentage, latency samples).
 *
 * @param fault what goes wrong
 * @param radius which calls it may touch
 * @param duration how long it stays active (capped by the controller's maximum)
 * @param experiment the experiment id the faulted calls are tagged with, {@code ""} for none
 * @param seed the seed of the fault's random choices
 */
public record FaultSpec(
    Fault fault, BlastRadius radius, Duration duration, String experiment, long seed) {
  public FaultSpec {
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(radius, "radius");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(experiment, "experiment");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("fault duration must be > 0, was " + duration);
    }
    for (var kind : radius.points()) {
      if (!fault.points().contains(kind)) {
        throw new IllegalArgumentException(
            "a "
                + fault.type()
                + " fault cannot act at "
                + kind.key()
                + " points; it acts at "
                + fault.points().stream().map(k -> k.key()).sorted().toList());
      }
    }
  }

  /** {@code fault} over {@code radius} for {@code duration}, no experiment, seed 0. */
  public static FaultSpec of(Fault fault, BlastRadius radius, Duration duration) {
    return new FaultSpec(fault, radius, duration, "", 0);
  }

  /** This spec tagged with {@code experiment}. */
  public FaultSpec inExperiment(String experiment) {
    return new FaultSpec(fault, radius, duration, experiment, seed);
  }

  /** This spec with {@code seed}. */
  public FaultSpec withSeed(long seed) {
    return new FaultSpec(fault, radius, duration, experiment, seed);
  }
}
