package io.bulwark.resilience;

import java.util.Locale;

/**
 * Why a policy refused a call before it ran. Each reason says whether trying the call again later
 * may succeed; retry policies read that through {@link PolicyRejectedException#isRetriable()}.
 */
public enum Rejection {
  /** The circuit breaker is open (or half-open with no probe permit left). Not retriable. */
  CIRCUIT_OPEN(false),
  /** The bulkhead had no free permit within its maximum wait. */
  BULKHEAD_FULL(true),
  /** The adaptive concurrency limit for the call's criticality was reached. */
  CONCURRENCY_LIMIT(true),
  /** The rate limiter had no permit within its maximum wait. */
  RATE_LIMITED(true),
  /** The retry budget had no token for a retry or hedge. Not retriable. */
  RETRY_BUDGET_EXHAUSTED(false),
  /** Client-side adaptive throttling dropped the call locally. Not retriable. */
  THROTTLED(false);

  private final boolean retriable;
  private final String label;

  Rejection(boolean retriable) {
    this.retriable = retriable;
    this.label = name().toLowerCase(Locale.ROOT);
  }

  /** True if the same call may succeed when tried again later. */
  public boolean isRetriable() {
    return retriable;
  }

  /** The lower-case label used as a metric attribute, e.g. {@code circuit_open}. */
  public String label() {
    return label;
  }
}
