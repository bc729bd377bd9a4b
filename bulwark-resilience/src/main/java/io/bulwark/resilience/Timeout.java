package io.bulwark.resilience;

import io.bulwark.core.time.Scheduler;
import java.time.Duration;

/**
 * Bounds how long a call may take: {@code min(configured timeout, remaining context deadline)}. A
 * call whose deadline has already passed is not started ({@link
 * io.bulwark.core.error.DeadlineExceededException}). A blocking call runs on a virtual thread under
 * the caller's context, with the tighter deadline so inner policies and downstream hops see it; on
 * expiry the caller gets a {@link TimeoutExceededException} (or {@code DeadlineExceededException}
 * when the context deadline was the binding limit) and the worker is interrupted. Permits taken
 * below the timeout (bulkhead, concurrency limit) are released when the worker actually stops, not
 * when the caller gives up.
 *
 * <p>For {@code CompletionStage} calls the stage is cancelled on expiry. Timed on the injected
 * scheduler. Thread-safe. Unlike the other policies, a timeout allocates on every call (a virtual
 * thread, a future and a timer).
 */
public sealed interface Timeout extends Policy permits DefaultTimeout {

  static Timeout of(String name, Duration timeout, Scheduler scheduler) {
    return new DefaultTimeout(name, TimeoutConfig.of(timeout), scheduler);
  }

  static Timeout of(String name, TimeoutConfig config, Scheduler scheduler) {
    return new DefaultTimeout(name, config, scheduler);
  }

  /** A timeout named {@code "timeout"} on the system scheduler. */
  static Timeout of(Duration timeout) {
    return of("timeout", timeout, Defaults.scheduler());
  }

  TimeoutConfig config();
}
