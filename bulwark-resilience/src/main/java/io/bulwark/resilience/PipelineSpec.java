package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The immutable description of one named pipeline in a {@link RegistryConfig}: which policies it
 * has and their configs (null = absent). Budgets are referred to by name, so two pipelines naming
 * the same budget share it. Compared by value: a reload keeps the running pipeline (and its
 * breaker, limiter and budget state) when its spec did not change.
 *
 * <p>Built only through {@link #builder()} or {@link #toBuilder()}; compared by value.
 */
public final class PipelineSpec {
  private final @Nullable Duration deadline;
  private final @Nullable RetryConfig retry;
  private final @Nullable String retryBudget;
  private final @Nullable HedgeConfig hedge;
  private final @Nullable String hedgeBudget;
  private final @Nullable AdaptiveThrottleConfig throttle;
  private final @Nullable CircuitBreakerConfig circuitBreaker;
  private final PipelineSpec.@Nullable KeyedLimit keyedRateLimiter;
  private final @Nullable RateLimiterConfig rateLimiter;
  private final @Nullable TimeoutConfig timeout;
  private final @Nullable BulkheadConfig bulkhead;
  private final @Nullable ConcurrencyLimiterConfig limit;

  private PipelineSpec(
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
    this.deadline = deadline;
    this.retry = retry;
    this.retryBudget = retryBudget;
    this.hedge = hedge;
    this.hedgeBudget = hedgeBudget;
    this.throttle = throttle;
    this.circuitBreaker = circuitBreaker;
    this.keyedRateLimiter = keyedRateLimiter;
    this.rateLimiter = rateLimiter;
    this.timeout = timeout;
    this.bulkhead = bulkhead;
    this.limit = limit;
  }

  /** Returns the pipeline deadline, or null. */
  public @Nullable Duration deadline() {
    return deadline;
  }

  /** Returns the retry config (its {@code budget} unset), or null. */
  public @Nullable RetryConfig retry() {
    return retry;
  }

  /** Returns the name of the budget the retry draws from, or null. */
  public @Nullable String retryBudget() {
    return retryBudget;
  }

  /** Returns the hedge config (its {@code budget} unset), or null. */
  public @Nullable HedgeConfig hedge() {
    return hedge;
  }

  /** Returns the name of the budget the hedge draws from, or null. */
  public @Nullable String hedgeBudget() {
    return hedgeBudget;
  }

  /** Returns the adaptive throttle config, or null. */
  public @Nullable AdaptiveThrottleConfig throttle() {
    return throttle;
  }

  /** Returns the circuit breaker config, or null. */
  public @Nullable CircuitBreakerConfig circuitBreaker() {
    return circuitBreaker;
  }

  /** Returns the per-key rate limit, or null. */
  public PipelineSpec.@Nullable KeyedLimit keyedRateLimiter() {
    return keyedRateLimiter;
  }

  /** Returns the rate limiter config, or null. */
  public @Nullable RateLimiterConfig rateLimiter() {
    return rateLimiter;
  }

  /** Returns the timeout config, or null. */
  public @Nullable TimeoutConfig timeout() {
    return timeout;
  }

  /** Returns the bulkhead config, or null. */
  public @Nullable BulkheadConfig bulkhead() {
    return bulkhead;
  }

  /** Returns the adaptive concurrency limit config, or null. */
  public @Nullable ConcurrencyLimiterConfig limit() {
    return limit;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PipelineSpec c
        && Objects.equals(deadline, c.deadline)
        && Objects.equals(retry, c.retry)
        && Objects.equals(retryBudget, c.retryBudget)
        && Objects.equals(hedge, c.hedge)
        && Objects.equals(hedgeBudget, c.hedgeBudget)
        && Objects.equals(throttle, c.throttle)
        && Objects.equals(circuitBreaker, c.circuitBreaker)
        && Objects.equals(keyedRateLimiter, c.keyedRateLimiter)
        && Objects.equals(rateLimiter, c.rateLimiter)
        && Objects.equals(timeout, c.timeout)
        && Objects.equals(bulkhead, c.bulkhead)
        && Objects.equals(limit, c.limit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        deadline,
        retry,
        retryBudget,
        hedge,
        hedgeBudget,
        throttle,
        circuitBreaker,
        keyedRateLimiter,
        rateLimiter,
        timeout,
        bulkhead,
        limit);
  }

  @Override
  public String toString() {
    return "PipelineSpec["
        + "deadline="
        + deadline
        + ", retry="
        + retry
        + ", retryBudget="
        + retryBudget
        + ", hedge="
        + hedge
        + ", hedgeBudget="
        + hedgeBudget
        + ", throttle="
        + throttle
        + ", circuitBreaker="
        + circuitBreaker
        + ", keyedRateLimiter="
        + keyedRateLimiter
        + ", rateLimiter="
        + rateLimiter
        + ", timeout="
        + timeout
        + ", bulkhead="
        + bulkhead
        + ", limit="
        + limit
        + "]";
  }

  /** A builder with every policy absent. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's values. */
  public Builder toBuilder() {
    return new Builder()
        .deadline(deadline)
        .retry(retry)
        .retryBudget(retryBudget)
        .hedge(hedge)
        .hedgeBudget(hedgeBudget)
        .throttle(throttle)
        .circuitBreaker(circuitBreaker)
        .keyedRateLimiter(keyedRateLimiter)
        .rateLimiter(rateLimiter)
        .timeout(timeout)
        .bulkhead(bulkhead)
        .limit(limit);
  }

  /** Builds a {@link PipelineSpec}; a null value means the policy is absent. Not thread-safe. */
  public static final class Builder {
    private @Nullable Duration deadline;
    private @Nullable RetryConfig retry;
    private @Nullable String retryBudget;
    private @Nullable HedgeConfig hedge;
    private @Nullable String hedgeBudget;
    private @Nullable AdaptiveThrottleConfig throttle;
    private @Nullable CircuitBreakerConfig circuitBreaker;
    private @Nullable KeyedLimit keyedRateLimiter;
    private @Nullable RateLimiterConfig rateLimiter;
    private @Nullable TimeoutConfig timeout;
    private @Nullable BulkheadConfig bulkhead;
    private @Nullable ConcurrencyLimiterConfig limit;

    private Builder() {}

    public Builder deadline(@Nullable Duration deadline) {
      this.deadline = deadline == null ? null : Checks.positive("deadline", deadline);
      return this;
    }

    public Builder retry(@Nullable RetryConfig retry) {
      this.retry = retry;
      return this;
    }

    /** The name of the registry budget the retry draws from. */
    public Builder retryBudget(@Nullable String budget) {
      this.retryBudget = budget;
      return this;
    }

    public Builder hedge(@Nullable HedgeConfig hedge) {
      this.hedge = hedge;
      return this;
    }

    /** The name of the registry budget the hedge draws from. */
    public Builder hedgeBudget(@Nullable String budget) {
      this.hedgeBudget = budget;
      return this;
    }

    public Builder throttle(@Nullable AdaptiveThrottleConfig throttle) {
      this.throttle = throttle;
      return this;
    }

    public Builder circuitBreaker(@Nullable CircuitBreakerConfig circuitBreaker) {
      this.circuitBreaker = circuitBreaker;
      return this;
    }

    public Builder keyedRateLimiter(@Nullable KeyedLimit keyedRateLimiter) {
      this.keyedRateLimiter = keyedRateLimiter;
      return this;
    }

    public Builder rateLimiter(@Nullable RateLimiterConfig rateLimiter) {
      this.rateLimiter = rateLimiter;
      return this;
    }

    public Builder timeout(@Nullable TimeoutConfig timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder bulkhead(@Nullable BulkheadConfig bulkhead) {
      this.bulkhead = bulkhead;
      return this;
    }

    public Builder limit(@Nullable ConcurrencyLimiterConfig limit) {
      this.limit = limit;
      return this;
    }

    public PipelineSpec build() {
      return new PipelineSpec(
          deadline,
          retry,
          retryBudget,
          hedge,
          hedgeBudget,
          throttle,
          circuitBreaker,
          keyedRateLimiter,
          rateLimiter,
          timeout,
          bulkhead,
          limit);
    }
  }

  /**
   * A per-key rate limit: {@code limit} for each key, the key found in each call's context as
   * {@code key} says ({@code baggage:<entry>} or {@code criticality}), at most {@code maxKeys}
   * keys.
   */
  public record KeyedLimit(RateLimiterConfig limit, String key, int maxKeys) {
    /** The most keys a per-key limit tracks unless told otherwise. */
    public static final int DEFAULT_MAX_KEYS = 10_000;

    public KeyedLimit {
      Objects.requireNonNull(limit, "limit");
      ContextKeys.parse(Objects.requireNonNull(key, "key"));
      Checks.positive("maxKeys", maxKeys);
    }
  }
}
