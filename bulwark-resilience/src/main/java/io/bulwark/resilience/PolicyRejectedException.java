package io.bulwark.resilience;

import io.bulwark.core.error.RejectedException;

/**
 * A resilience policy refused the call before it ran. Stackless, and each policy keeps one instance
 * per reason, so rejecting under overload allocates nothing. Do not mutate it (no {@code
 * initCause}); it may be thrown to many callers.
 */
public final class PolicyRejectedException extends RejectedException {
  private static final long serialVersionUID = 1L;
  private final String policy;
  private final Rejection rejection;

  /**
   * @param policy the name of the policy that refused the call
   * @param rejection why
   */
  public PolicyRejectedException(String policy, Rejection rejection) {
    super(message(policy, rejection));
    this.policy = policy;
    this.rejection = rejection;
  }

  /** The name of the policy that refused the call. */
  public String policy() {
    return policy;
  }

  public Rejection rejection() {
    return rejection;
  }

  @Override
  public boolean isRetriable() {
    return rejection.isRetriable();
  }

  @Override
  public String reason() {
    return rejection.label();
  }

  private static String message(String policy, Rejection rejection) {
    return switch (rejection) {
      case CIRCUIT_OPEN -> "circuit breaker '" + policy + "' is open";
      case BULKHEAD_FULL -> "bulkhead '" + policy + "' is full";
      case CONCURRENCY_LIMIT -> "concurrency limit '" + policy + "' reached";
      case RATE_LIMITED -> "rate limiter '" + policy + "' has no permit";
      case RETRY_BUDGET_EXHAUSTED -> "retry budget '" + policy + "' is exhausted";
      case THROTTLED -> "adaptive throttle '" + policy + "' dropped the call";
    };
  }
}
