package io.bulwark.chaos;

import io.bulwark.core.time.Scheduler;
import java.time.Duration;

/**
 * What runs an ambient fault (one that acts on the process, not on calls: CPU burn, memory ballast)
 * while it is active. {@link Chaos} starts it when the fault starts and stops it through the
 * returned handle when the fault is cleared or expires. Built in for {@link Fault.CpuBurn} and
 * {@link Fault.MemoryBallast}; replaceable through {@link Chaos.Builder#ambient}.
 */
@FunctionalInterface
public interface AmbientEffect {

  /**
   * Starts the effect of {@code fault} for at most {@code duration} on {@code scheduler}.
   *
   * @return the handle that stops it (idempotent)
   * @throws IllegalArgumentException naming the bad value when the fault cannot run here
   */
  AutoCloseable start(Fault fault, Duration duration, Scheduler scheduler);
}
