package io.bulwark.runtime.autoscale.sim;

import io.bulwark.core.config.Checks;
import java.time.Duration;

/**
 * What one simulated instance can do.
 *
 * @param capacityPerInstance requests per second one ready instance serves
 * @param serviceTime how long one request takes (sets the concurrency: served rate × service time,
 *     plus the requests queued)
 * @param startupDelay from the decision to add an instance until it serves (it costs
 *     instance-minutes meanwhile)
 * @param sloUtilisation the latency SLO holds while offered load (arrivals plus queue) over
 *     capacity stays at or below this; a step above it counts as violated time
 */
public record CapacityModel(
    double capacityPerInstance,
    Duration serviceTime,
    Duration startupDelay,
    double sloUtilisation) {

  /** Validates every field, naming the bad one. */
  public CapacityModel {
    Checks.positive("capacity.capacityPerInstance", capacityPerInstance);
    Checks.positive("capacity.serviceTime", serviceTime);
    Checks.notNegative("capacity.startupDelay", startupDelay);
    Checks.positiveFraction("capacity.sloUtilisation", sloUtilisation);
  }
}
