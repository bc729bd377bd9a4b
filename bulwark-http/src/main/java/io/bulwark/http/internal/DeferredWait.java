package io.bulwark.http.internal;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.http.RequestOutcome;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A non-blocking request waiting on a chaos timer (a delay or a blackhole, see {@link
 * ServerFaults}): its timer and the server's shutdown race to end it, and exactly one wins ({@link
 * #claim()}). Shutdown cancels the timer and answers 503 {@code shutting_down} at once: the handler
 * has not run, so the caller may safely try elsewhere, and the drain does not wait for a timer that
 * would only have answered later.
 */
final class DeferredWait {
  private final Exchange ex;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private volatile @Nullable ScheduledTask timer;

  DeferredWait(Exchange ex) {
    this.ex = ex;
  }

  /** The timer that ends the wait; cancelled by {@link #endForShutdown()}. */
  void timer(ScheduledTask timer) {
    this.timer = timer;
    if (claimed.get()) {
      timer.cancel(); // shutdown came between the schedule and this call
    }
  }

  boolean claimed() {
    return claimed.get();
  }

  /** True for the one caller that ends this wait (its timer, or shutdown). */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  /**
   * The server drains: unless the timer already ended the wait, cancels it and answers 503 {@code
   * shutting_down} on the request's event loop, which finishes the exchange (counted out of the
   * drain).
   */
  void endForShutdown() {
    if (!claim()) {
      return;
    }
    ScheduledTask t = timer;
    if (t != null) {
      t.cancel();
    }
    ex.onLoop(() -> ex.refuse(Problems.shuttingDown(), RequestOutcome.SHED));
  }
}
