package io.bulwark.resilience;

/**
 * One resilience policy: a thread-safe object built from an immutable config, usable alone or
 * composed into a {@link Pipeline}. A policy instance holds runtime state (a breaker's window, a
 * limiter's permits), so sharing one instance between pipelines shares that state.
 */
public sealed interface Policy
    permits AdaptiveThrottle,
        Bulkhead,
        CircuitBreaker,
        ConcurrencyLimiter,
        Fallback,
        Hedge,
        KeyedRateLimiter,
        RateLimiter,
        Retry,
        Timeout {

  /** The name used in events, errors and metrics. */
  String name();

  /** What kind of policy this is; fixes its place in the default pipeline order. */
  PolicyKind kind();

  /** Registers a listener for this policy's events (see {@link ResilienceListener}). */
  void addListener(ResilienceListener listener);
}
