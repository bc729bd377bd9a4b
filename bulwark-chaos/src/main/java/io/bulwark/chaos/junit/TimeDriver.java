package io.bulwark.chaos.junit;

import java.time.Duration;

/**
 * Moves a test's time forward: {@code VirtualScheduler::advance} of bulwark-test for virtual time
 * (the run's ticks, fault stages and the system's own timers all fire in order, instantly).
 */
@FunctionalInterface
public interface TimeDriver {
  void advance(Duration duration);
}
