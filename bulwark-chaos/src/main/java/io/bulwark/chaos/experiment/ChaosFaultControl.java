package io.bulwark.chaos.experiment;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.http.ChaosRoutes;
import java.time.Duration;
import java.util.Objects;

/**
 * Activates faults in this JVM through a {@link Chaos} controller: the step's fault goes through
 * the same JSON parser as the admin endpoint ({@link ChaosRoutes#parseFault}), so an experiment
 * means the same in-process and against a running service.
 */
public final class ChaosFaultControl implements FaultControl {
  private final Chaos chaos;

  public ChaosFaultControl(Chaos chaos) {
    this.chaos = Objects.requireNonNull(chaos, "chaos");
  }

  /** The chaos engine's own form of {@code fault}; throws naming the bad field. */
  public static FaultSpec toSpec(StepFault fault, Duration ttl, String experiment, long seed) {
    return ChaosRoutes.parseFault(fault.toJson(ttl, experiment, seed));
  }

  @Override
  public String activate(StepFault fault, Duration ttl, String experiment, long seed) {
    return chaos.start(toSpec(fault, ttl, experiment, seed)).id();
  }

  @Override
  public void deactivate(String id) {
    chaos.clear(id);
  }
}
