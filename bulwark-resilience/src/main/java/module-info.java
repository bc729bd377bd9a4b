/**
 * Bulwark's resilience policies and the pipeline that composes them: circuit breaker, bulkhead,
 * adaptive concurrency limit, retry with budgets, hedging, rate limiter, timeout, fallback and
 * client-side adaptive throttling.
 */
module io.bulwark.resilience {
  requires transitive io.bulwark.core;
  requires com.github.benmanes.caffeine;

  exports io.bulwark.resilience;
  exports io.bulwark.resilience.limit;
}
