package io.bulwark.resilience;

import io.bulwark.core.time.Scheduler;
import io.bulwark.core.time.SystemScheduler;

/** The shared system scheduler for policies created without one (one daemon timer thread). */
final class Defaults {
  private Defaults() {}

  private static final class Holder {
    static final SystemScheduler SCHEDULER = Scheduler.system();
  }

  static Scheduler scheduler() {
    return Holder.SCHEDULER;
  }
}
