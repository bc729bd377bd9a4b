package io.bulwark.resilience;

import org.jspecify.annotations.Nullable;

/**
 * The one observation SPI of the resilience module: every policy and every pipeline reports what it
 * does through it, and bulwark-telemetry maps the calls to metrics, span events and logs.
 *
 * <p><b>Contract.</b> Methods are called on the thread that caused the event, often on the hot
 * path, sometimes while the caller waits: they must be fast (no I/O, no locks held for long, no
 * blocking) and must not throw. A listener that throws anyway is ignored for that event; the call
 * it observes is not affected. All methods have empty defaults, so a listener implements only what
 * it needs. With no listener registered, events cost nothing: they are neither built nor timed.
 *
 * <p>Events for successful calls through a policy are deliberately absent (they would cost on the
 * success path); {@link #onCallEnded} reports every call of a pipeline that has a listener.
 */
public interface ResilienceListener {

  /** A circuit breaker changed state; the transition carries the reason. */
  default void onStateTransition(String breaker, CircuitBreaker.Transition transition) {}

  /** A policy refused a call before it ran. */
  default void onRejected(String policy, Rejection rejection) {}

  /**
   * A retry policy will make attempt {@code nextAttempt} (2 for the first retry) after {@code
   * delayNanos}, because of {@code failure}.
   */
  default void onRetry(String retry, int nextAttempt, long delayNanos, Throwable failure) {}

  /**
   * A retry policy stopped retrying a call that failed: attempts exhausted, the failure is not
   * retriable, the budget is empty or the deadline leaves no time; {@code reason} says which.
   */
  default void onRetryGivenUp(String retry, int attempts, String reason, Throwable failure) {}

  /** A timeout expired after {@code timeoutNanos}; the work was interrupted. */
  default void onTimeout(String policy, long timeoutNanos) {}

  /** A fallback replaced {@code failure} with its value. */
  default void onFallback(String policy, Throwable failure) {}

  /** A hedging policy started backup attempt {@code attempt} (2 for the first backup). */
  default void onHedge(String policy, int attempt) {}

  /** An adaptive concurrency limiter changed its limit. */
  default void onLimitChanged(String limiter, int oldLimit, int newLimit) {}

  /** A call through pipeline {@code pipeline} ended, with {@code failure} null on success. */
  default void onCallEnded(String pipeline, long durationNanos, @Nullable Throwable failure) {}
}
