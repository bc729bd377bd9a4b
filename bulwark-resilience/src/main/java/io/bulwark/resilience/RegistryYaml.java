package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Binds the YAML of a {@link RegistryConfig} through {@link ConfigReader}: each policy section is
 * bound by that policy's public binder ({@link RetryConfig#bind}, {@link
 * CircuitBreakerConfig#bind}, …), so a pipeline's section and a section bound on its own mean the
 * same; every value goes through the config builders' validating setters, so a bad value is
 * reported with its file and line.
 */
final class RegistryYaml {
  private RegistryYaml() {}

  static RegistryConfig bind(ConfigReader root) {
    Map<String, RetryBudgetConfig> budgets =
        root.namedSections("budgets", (name, r) -> RetryBudgetConfig.bind(r));
    Map<String, PipelineSpec> pipelines =
        root.namedSections("pipelines", (name, r) -> pipeline(name, r, budgets));
    return new RegistryConfig(budgets, pipelines);
  }

  private static PipelineSpec pipeline(
      String name, ConfigReader r, Map<String, RetryBudgetConfig> budgets) {
    PipelineSpec.Builder spec = PipelineSpec.builder();
    r.duration("deadline", d -> spec.deadline(Checks.positive("deadline", d)));
    spec.retry(
        r.section(
            "retry",
            s -> {
              s.string("budget", budgetName(budgets, spec::retryBudget));
              return RetryConfig.bind(s);
            }));
    spec.hedge(
        r.section(
            "hedge",
            s -> {
              s.string("budget", budgetName(budgets, spec::hedgeBudget));
              return HedgeConfig.bind(s);
            }));
    spec.throttle(r.section("throttle", AdaptiveThrottleConfig::bind));
    spec.circuitBreaker(r.section("circuit-breaker", CircuitBreakerConfig::bind));
    spec.keyedRateLimiter(r.section("keyed-rate-limiter", RegistryYaml::keyedRateLimiter));
    spec.rateLimiter(r.section("rate-limiter", RateLimiterConfig::bind));
    if (r.has("timeout")) {
      spec.timeout(TimeoutConfig.bind(r));
    }
    spec.bulkhead(r.section("bulkhead", BulkheadConfig::bind));
    spec.limit(r.section("limit", ConcurrencyLimiterConfig::bind));
    PipelineSpec built = spec.build();
    PipelineFactory.validate(name, built, budgets);
    return built;
  }

  private static Consumer<String> budgetName(
      Map<String, RetryBudgetConfig> budgets, Consumer<String> target) {
    return name -> {
      if (!budgets.containsKey(name)) {
        throw new IllegalArgumentException(
            "unknown budget \"" + name + "\", known: " + new TreeSet<>(budgets.keySet()));
      }
      target.accept(name);
    };
  }

  /** A per-key limit never waits, so it has no max-wait. */
  private static PipelineSpec.KeyedLimit keyedRateLimiter(ConfigReader r) {
    RateLimiterConfig.Builder b = RateLimiterConfig.bindRate(r);
    String[] key = {""};
    int[] maxKeys = {PipelineSpec.KeyedLimit.DEFAULT_MAX_KEYS};
    r.require("key")
        .string(
            "key",
            k -> {
              ContextKeys.parse(k);
              key[0] = k;
            })
        .integer("max-keys", v -> maxKeys[0] = Checks.positive("maxKeys", v));
    return new PipelineSpec.KeyedLimit(b.build(), key[0], maxKeys[0]);
  }
}
