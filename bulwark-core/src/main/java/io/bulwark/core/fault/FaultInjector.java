package io.bulwark.core.fault;

import org.jspecify.annotations.Nullable;

/**
 * Decides, per call at an injection point, whether a fault applies and which. Implemented by the
 * chaos module and installed in {@link FaultPoints} while at least one fault is active.
 *
 * <p>Contract: thread-safe, fast, never throws; {@link #decide} is called on the caller's thread
 * with the caller's {@link io.bulwark.core.context.Context} current (its baggage carries the
 * cohort, its correlation id the request id used for percentages).
 */
public interface FaultInjector {

  /**
   * The action to apply to this call, or null for none. Records the injection (metric, span event,
   * log line) when it returns an action.
   */
  @Nullable FaultAction decide(FaultSite site);

  /**
   * Waits {@code nanos} on the injector's scheduler (virtual time in tests).
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  void pause(long nanos) throws InterruptedException;

  /**
   * The cohort label of a request whose {@code chaos.experiment} baggage is {@code experiment}
   * (null without one): {@link ChaosCohort#CONTROL} without one, the experiment itself when an
   * active fault belongs to it, else {@link ChaosCohort#OTHER} (labels stay bounded).
   */
  default String cohort(@Nullable String experiment) {
    return experiment == null ? ChaosCohort.CONTROL : ChaosCohort.OTHER;
  }

  /** The scheduler the injector's faults run on (for points that pace work without blocking). */
  io.bulwark.core.time.Scheduler scheduler();
}
