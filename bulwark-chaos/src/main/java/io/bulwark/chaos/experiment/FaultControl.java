package io.bulwark.chaos.experiment;

import java.time.Duration;

/**
 * How a run turns its method into active faults: in-process through the chaos engine, or against a
 * running service through its chaos admin endpoint ({@link HttpFaultControl}). Implementations are
 * called from the run's scheduler, one call at a time.
 */
public interface FaultControl {

  /**
   * Activates {@code fault} for {@code ttl} (it expires by itself after that), tagged with the
   * {@code experiment}'s name, its random choices seeded with {@code seed}.
   *
   * @return the id of the active fault, for {@link #deactivate}
   * @throws RuntimeException if the fault was refused (bad parameters, chaos disabled): the run
   *     stops with verdict FAILED naming the step
   */
  String activate(StepFault fault, Duration ttl, String experiment, long seed);

  /** Deactivates one fault (no error if it already expired). */
  void deactivate(String id);
}
