package io.bulwark.resilience;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The immutable description of one named pipeline in a {@link RegistryConfig}: which policies it
 * has and their configs (null = absent). Budgets are referred to by name, so two pipelines naming
 * the same budget share it. Compared by value: a reload keeps the running pipeline (and its
 * breaker, limiter and budget state) when its spec did not change.
 *
 * @param deadline the pipeline deadline, or null
 * @param retry the retry config (its {@code budget} unset), or null
 * @param retryBudget the name of the budget the retry draws from, or null
 * @param hedge the hedge config (its {@code budget} unset), or null
 * @param hedgeBudget the name of the budget the hedge draws from, or null
 * @param throttle the adaptive throttle config, or null
 * @param circuitBreaker the circuit breaker config, or null
 * @param keyedRateLimiter the per-key rate limit, or null
 * @param rateLimiter the rate limiter config, or null
 * @param timeout the timeout config, or null
 * @param bulkhead the bulkhead config, or null
 * @param limit the adaptive concurrency limit config, or null
 */
public record PipelineSpec(
    @Nullable Duration deadline,
    @Nullable RetryConfig retry,
    @Nullable String retryBudget,
    @Nullable HedgeConfig hedge,
    @Nullable String hedgeBudget,
    @Nullable AdaptiveThrottleConfig throttle,
    @Nullable CircuitBreakerConfig circuitBreaker,
    PipelineSpec.@Nullable KeyedLimit keyedRateLimiter,
    @Nullable RateLimiterConfig rateLimiter,
    @Nullable TimeoutConfig timeout,
    @Nullable BulkheadConfig bulkhead,
    @Nullable ConcurrencyLimiterConfig limit) {

  /**
   * A per-key rate limit: {@code limit} for each key, the key found in each call's context as
   * {@code key} says ({@code baggage:<entry>} or {@code criticality}), at most {@code maxKeys}
   * keys.
   */
  public record KeyedLimit(RateLimiterConfig limit, String key, int maxKeys) {
    public KeyedLimit {
      Objects.requireNonNull(limit, "limit");
      ContextKeys.parse(Objects.requireNonNull(key, "key"));
      Checks.positive("maxKeys", maxKeys);
    }
  }
}
