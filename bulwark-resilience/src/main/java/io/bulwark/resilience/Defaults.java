package io.bulwark.resilience;

import io.bulwark.core.time.Scheduler;

/** The scheduler of policies created without one: the shared {@link Scheduler#system()}. */
final class Defaults {
  private Defaults() {}

  static Scheduler scheduler() {
    return Scheduler.system();
  }
}
