package io.bulwark.resilience;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ConfigProblem;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.resilience.limit.AimdLimit;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The public per-policy binders: the registry's defaults, its keys, its errors. */
class PolicyBindersTest {
  private static final ConfigLoader LOADER = ConfigLoader.withEnv(Map.of());

  private static <T> T bind(String yaml, Function<ConfigReader, T> binder) {
    return LOADER.parse(yaml, "policy.yaml", binder);
  }

  @Test
  void anEmptySectionBindsToTheBuildersDefaults() {
    assertThat(bind("", RetryConfig::bind)).isEqualTo(RetryConfig.builder().build());
    assertThat(bind("", CircuitBreakerConfig::bind)).isEqualTo(CircuitBreakerConfig.ofDefaults());
    assertThat(bind("", HedgeConfig::bind)).isEqualTo(HedgeConfig.builder().build());
    assertThat(bind("", AdaptiveThrottleConfig::bind))
        .isEqualTo(AdaptiveThrottleConfig.builder().build());
    assertThat(bind("", RetryBudgetConfig::bind)).isEqualTo(RetryBudgetConfig.builder().build());
    assertThat(bind("", ConcurrencyLimiterConfig::bind))
        .isEqualTo(ConcurrencyLimiterConfig.builder().build());
  }

  @Test
  void policiesWithoutADefaultRequireTheirKey() {
    assertThatThrownBy(() -> bind("max-wait: 1s\n", BulkheadConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max-concurrent: is required");
    assertThatThrownBy(() -> bind("burst: 3\n", RateLimiterConfig::bind))
        .hasMessageContaining("permits: is required");
    assertThatThrownBy(() -> bind("", TimeoutConfig::bind))
        .hasMessageContaining("timeout: is required");
  }

  @Test
  void everyKeyReachesItsSetter() {
    assertThat(
            bind(
                """
                max-attempts: 5
                initial-delay: 10ms
                multiplier: 3
                max-delay: 2s
                jitter: none
                min-attempt-time: 5ms
                ignore-exceptions: [java.lang.IllegalStateException]
                """,
                RetryConfig::bind))
        .isEqualTo(
            RetryConfig.builder()
                .maxAttempts(5)
                .backoff(Duration.ofMillis(10), 3, Duration.ofSeconds(2))
                .jitter(RetryConfig.Jitter.NONE)
                .minAttemptTime(Duration.ofMillis(5))
                .ignoreExceptions(IllegalStateException.class)
                .build());
    assertThat(bind("max-concurrent: 7\nmax-wait: 3ms\n", BulkheadConfig::bind))
        .isEqualTo(new BulkheadConfig(7, Duration.ofMillis(3)));
    assertThat(bind("permits: 4\nperiod: 2s\nburst: 2\nmax-wait: 1s\n", RateLimiterConfig::bind))
        .isEqualTo(new RateLimiterConfig(4, Duration.ofSeconds(2), 2, Duration.ofSeconds(1)));
    assertThat(bind("timeout: 250ms\n", TimeoutConfig::bind))
        .isEqualTo(TimeoutConfig.of(Duration.ofMillis(250)));
    assertThat(
            bind(
                "algorithm: aimd\ninitial-limit: 5\nmax-limit: 50\nbackoff-ratio: 0.8\n",
                ConcurrencyLimiterConfig::bind))
        .isEqualTo(
            ConcurrencyLimiterConfig.builder()
                .algorithm(new AimdLimit(5, 1, 50, 0.8, Duration.ofSeconds(5)))
                .build());
  }

  @Test
  void aSectionBoundAloneEqualsTheSameSectionInARegistryPipeline() {
    String breaker =
        """
        window: count
        window-size: 20
        minimum-calls: 10
        failure-rate-threshold: 25
        wait-in-open: 5s
        half-open-permits: 2
        """;
    String indented = breaker.indent(6);
    RegistryConfig registry =
        RegistryConfig.parse(
            "pipelines:\n  p:\n    circuit-breaker:\n" + indented, "r.yaml", LOADER);
    assertThat(requireNonNull(registry.pipelines().get("p")).circuitBreaker())
        .isEqualTo(bind(breaker, CircuitBreakerConfig::bind));
  }

  @Test
  void aBudgetIsARegistryKeyNotAPolicyKey() {
    assertThatThrownBy(() -> bind("max-attempts: 2\nbudget: payments\n", RetryConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("policy.yaml:2: budget: unknown key");
  }

  @Test
  void theOldCamelCaseSpellingOfARegistryKeyIsRejectedNamingTheNewOne() {
    ConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigException.class,
            () ->
                RegistryConfig.parse(
                    """
                    pipelines:
                      orders:
                        circuitBreaker:
                          windowSize: 10
                        retry:
                          maxAttempts: 2
                    """,
                    "resilience.yaml",
                    LOADER));
    assertThat(e.problems())
        .extracting(ConfigProblem::toString)
        .containsExactlyInAnyOrder(
            "resilience.yaml:4: pipelines.orders.circuitBreaker: keys are kebab-case: write"
                + " \"circuit-breaker\" instead of \"circuitBreaker\"",
            "resilience.yaml:6: pipelines.orders.retry.maxAttempts: keys are kebab-case: write"
                + " \"max-attempts\" instead of \"maxAttempts\"");
  }

  @Test
  void theOldCamelCaseSpellingOfAPolicyKeyIsRejectedByItsBinder() {
    assertThatThrownBy(() -> bind("maxConcurrent: 3\nmax-concurrent: 3\n", BulkheadConfig::bind))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "policy.yaml:1: maxConcurrent: keys are kebab-case: write \"max-concurrent\"");
    assertThatThrownBy(() -> bind("minRetriesPerSecond: 1\n", RetryBudgetConfig::bind))
        .hasMessageContaining("write \"min-retries-per-second\"");
  }
}
