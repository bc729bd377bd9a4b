package io.bulwark.resilience;

import static io.bulwark.resilience.ConfigCopies.changesOnly;
import static io.bulwark.resilience.ConfigCopies.copiesEveryComponent;

import io.bulwark.core.context.Criticality;
import io.bulwark.resilience.limit.AimdLimit;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code toBuilder()} of every resilience config copies every component, now and later. */
class ConfigToBuilderTest {
  private static final RetryBudget BUDGET =
      RetryBudget.of("b", RetryBudgetConfig.builder().build());

  static RetryConfig retrySample() {
    return RetryConfig.builder()
        .maxAttempts(5)
        .backoff(Duration.ofMillis(7), 3, Duration.ofSeconds(3))
        .jitter(RetryConfig.Jitter.DECORRELATED)
        .retryOn(t -> t instanceof IOException)
        .minAttemptTime(Duration.ofMillis(2))
        .budget(BUDGET)
        .retryOnResult(r -> r == null)
        .ignoreExceptions(IllegalStateException.class)
        .build();
  }

  static CircuitBreakerConfig breakerSample() {
    return CircuitBreakerConfig.builder()
        .timeBasedWindow(30)
        .minimumCalls(7)
        .failureRateThreshold(33)
        .slowCalls(80, Duration.ofMillis(900))
        .waitInOpen(Duration.ofSeconds(9))
        .halfOpenPermits(3)
        .maxWaitInHalfOpen(Duration.ofSeconds(4))
        .failurePredicate(t -> t instanceof IOException)
        .ignoreExceptions(IllegalArgumentException.class)
        .recordResult(r -> r == null)
        .build();
  }

  @Test
  void retry() {
    RetryConfig sample = retrySample();
    copiesEveryComponent(sample, RetryConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().maxAttempts(2).build(), "maxAttempts");
  }

  @Test
  void circuitBreaker() {
    CircuitBreakerConfig sample = breakerSample();
    copiesEveryComponent(sample, CircuitBreakerConfig.ofDefaults(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().halfOpenPermits(1).build(), "halfOpenPermits");
  }

  @Test
  void hedge() {
    HedgeConfig sample =
        HedgeConfig.builder()
            .maxHedges(2)
            .delay(Duration.ofMillis(30))
            .percentile(95)
            .minSamples(5)
            .budget(BUDGET)
            .build();
    copiesEveryComponent(sample, HedgeConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().minSamples(50).build(), "minSamples");
    HedgeConfig fixedDelay = HedgeConfig.builder().delay(Duration.ofMillis(5)).build();
    org.assertj.core.api.Assertions.assertThat(fixedDelay.toBuilder().build())
        .isEqualTo(fixedDelay);
  }

  @Test
  void adaptiveThrottle() {
    AdaptiveThrottleConfig sample =
        AdaptiveThrottleConfig.builder()
            .k(1.5)
            .window(Duration.ofSeconds(30))
            .overload(t -> t instanceof IOException)
            .build();
    copiesEveryComponent(
        sample, AdaptiveThrottleConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().k(3).build(), "k");
  }

  @Test
  void rateLimiter() {
    RateLimiterConfig sample =
        RateLimiterConfig.builder()
            .rate(10, Duration.ofSeconds(2))
            .burst(3)
            .maxWait(Duration.ofMillis(5))
            .build();
    copiesEveryComponent(sample, RateLimiterConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().burst(1).build(), "burst");
  }

  @Test
  void bulkhead() {
    BulkheadConfig sample =
        BulkheadConfig.builder().maxConcurrent(3).maxWait(Duration.ofMillis(8)).build();
    copiesEveryComponent(sample, BulkheadConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().maxConcurrent(4).build(), "maxConcurrent");
  }

  @Test
  void retryBudget() {
    RetryBudgetConfig sample =
        RetryBudgetConfig.builder().ratio(0.5).minRetriesPerSecond(2).maxBurst(7).build();
    copiesEveryComponent(sample, RetryBudgetConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().ratio(0.1).build(), "ratio");
  }

  @Test
  void concurrencyLimiter() {
    ConcurrencyLimiterConfig sample =
        ConcurrencyLimiterConfig.builder()
            .algorithm(AimdLimit.ofDefaults())
            .share(Criticality.CRITICAL_PLUS, 0.95)
            .share(Criticality.CRITICAL, 0.8)
            .share(Criticality.SHEDDABLE_PLUS, 0.6)
            .share(Criticality.SHEDDABLE, 0.3)
            .build();
    copiesEveryComponent(
        sample, ConcurrencyLimiterConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(
        sample, sample.toBuilder().share(Criticality.SHEDDABLE, 0.2).build(), "sheddableShare");
  }

  @Test
  void timeout() {
    TimeoutConfig sample = TimeoutConfig.of(Duration.ofMillis(300));
    copiesEveryComponent(
        sample, TimeoutConfig.of(Duration.ofSeconds(1)), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().timeout(Duration.ofMillis(1)).build(), "timeout");
  }

  @Test
  void pipelineSpec() {
    PipelineSpec sample =
        PipelineSpec.builder()
            .deadline(Duration.ofSeconds(2))
            .retry(retrySample())
            .retryBudget("payments")
            .hedge(HedgeConfig.builder().build())
            .hedgeBudget("payments")
            .throttle(AdaptiveThrottleConfig.builder().build())
            .circuitBreaker(breakerSample())
            .keyedRateLimiter(
                new PipelineSpec.KeyedLimit(RateLimiterConfig.builder().build(), "criticality", 10))
            .rateLimiter(RateLimiterConfig.builder().build())
            .timeout(TimeoutConfig.of(Duration.ofMillis(400)))
            .bulkhead(BulkheadConfig.builder().build())
            .limit(ConcurrencyLimiterConfig.builder().build())
            .build();
    copiesEveryComponent(sample, PipelineSpec.builder().build(), c -> c.toBuilder().build());
    changesOnly(sample, sample.toBuilder().bulkhead(null).build(), "bulkhead");
  }

  @Test
  void registryConfig() {
    RegistryConfig sample =
        RegistryConfig.builder()
            .budget("payments", RetryBudgetConfig.builder().ratio(0.3).build())
            .pipeline("checkout", PipelineSpec.builder().retryBudget("payments").build())
            .pipeline(
                "search",
                PipelineSpec.builder().timeout(TimeoutConfig.of(Duration.ofMillis(80))).build())
            .build();
    copiesEveryComponent(sample, RegistryConfig.builder().build(), c -> c.toBuilder().build());
    changesOnly(
        sample,
        sample.toBuilder().pipeline("search", PipelineSpec.builder().build()).build(),
        "pipelines");
    changesOnly(
        sample,
        sample.toBuilder().budget("payments", RetryBudgetConfig.builder().build()).build(),
        "budgets");
  }

  @Test
  void registryConfigBuilderKeepsPipelineOrderAndChecksBudgetNames() {
    RegistryConfig config =
        RegistryConfig.builder()
            .pipeline("b", PipelineSpec.builder().build())
            .pipeline("a", PipelineSpec.builder().build())
            .pipeline("c", PipelineSpec.builder().build())
            .build();
    RegistryConfig changed =
        config.toBuilder()
            .pipeline("a", PipelineSpec.builder().deadline(Duration.ofSeconds(1)).build())
            .removePipeline("c")
            .pipeline("d", PipelineSpec.builder().build())
            .build();
    org.assertj.core.api.Assertions.assertThat(changed.pipelines().keySet())
        .containsExactly("b", "a", "d");
    org.assertj.core.api.Assertions.assertThat(config.pipelines().keySet())
        .as("the original is untouched")
        .containsExactly("b", "a", "c");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                RegistryConfig.builder()
                    .budget("payments", RetryBudgetConfig.builder().build())
                    .pipeline("search", PipelineSpec.builder().hedgeBudget("paymnets").build())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pipeline \"search\": hedge budget \"paymnets\" is unknown, known: [payments]");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> config.toBuilder().pipeline(" ", PipelineSpec.builder().build()))
        .hasMessageContaining("pipeline name")
        .hasMessageContaining("\" \"");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> config.toBuilder().budget("", RetryBudgetConfig.builder().build()))
        .hasMessageContaining("budget name");
  }
}
