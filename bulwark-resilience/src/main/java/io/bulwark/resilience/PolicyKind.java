package io.bulwark.resilience;

/**
 * The kinds of policy, declared in the default composition order of a {@link Pipeline}, outermost
 * first: fallback → retry → hedge → adaptive throttle → circuit breaker → keyed rate limiter → rate
 * limiter → timeout → bulkhead → concurrency limit → the call.
 *
 * <p>Why this order: the fallback sees every failure, including rejections; retry and hedging
 * re-enter everything below them, so each attempt is judged by the breaker, counted by the rate
 * limiter and timed separately; a per-key limit comes before the shared one, so a key (tenant,
 * client) over its own limit never spends a shared permit that other keys need; the timeout sits
 * outside the bulkhead and limiter so a timed-out attempt's permit is released only when its work
 * has really stopped.
 */
public enum PolicyKind {
  FALLBACK,
  RETRY,
  HEDGE,
  ADAPTIVE_THROTTLE,
  CIRCUIT_BREAKER,
  KEYED_RATE_LIMITER,
  RATE_LIMITER,
  TIMEOUT,
  BULKHEAD,
  CONCURRENCY_LIMIT
}
