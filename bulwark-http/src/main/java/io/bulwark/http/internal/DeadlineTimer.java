package io.bulwark.http.internal;

import io.bulwark.core.context.Deadline;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.RequestOutcome;

/**
 * Enforces a request's deadline while its handler runs: a deadline already passed gets 504 without
 * running the handler; otherwise, on a virtual thread, a timer answers 504 when it passes and
 * interrupts the handler (whose late answer is discarded). An event-loop handler cannot be
 * interrupted, so it gets no timer. The timer's task is one object per request with a deadline.
 */
final class DeadlineTimer {
  private final Scheduler scheduler;

  DeadlineTimer(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** Arms the timer; returns false if the deadline had passed (504 answered). */
  boolean arm(Exchange ex, boolean inline) {
    Deadline deadline = ex.context.deadline();
    if (deadline == null || ex.system) {
      return true;
    }
    long left = deadline.remainingNanos();
    if (left <= 0) {
      ex.problem(Problems.deadline(), RequestOutcome.DEADLINE);
      return false;
    }
    if (!inline) {
      ex.deadlineTimer = scheduler.schedule(left, () -> passed(ex));
    }
    return true;
  }

  private static void passed(Exchange ex) {
    if (ex.problem(Problems.deadline(), RequestOutcome.DEADLINE)) {
      Thread worker = ex.worker;
      if (worker != null) {
        worker.interrupt();
      }
    }
  }
}
