package io.bulwark.resilience;

/**
 * The kinds of policy, declared in the default composition order of a {@link Pipeline}, outermost
 * first: fallback → retry → hedge → adaptive throttle → circuit breaker → rate limiter → timeout →
 * bulkhead → concurrency limit → the call.
 *
 * <p>Why this order: the fallback sees every failure, including rejections; retry and hedging
 * re-enter everything below them, so each attempt is judged by the breaker, counted by the rate
 * limiter and timed separately; the timeout sits outside the bulkhead and limiter so a timed-out
 * attempt's permit is released only when its work has really stopped.
 */
public enum PolicyKind {
  FALLBACK,
  RETRY,
  HEDGE,
  ADAPTIVE_THROTTLE,
  CIRCUIT_BREAKER,
  RATE_LIMITER,
  TIMEOUT,
  BULKHEAD,
  CONCURRENCY_LIMIT
}
