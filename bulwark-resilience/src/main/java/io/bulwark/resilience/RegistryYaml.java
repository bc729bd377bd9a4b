package io.bulwark.resilience;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.context.Criticality;
import io.bulwark.resilience.limit.AimdLimit;
import io.bulwark.resilience.limit.Gradient2Limit;
import io.bulwark.resilience.limit.LimitAlgorithm;
import io.bulwark.resilience.limit.VegasLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Binds the YAML of a {@link RegistryConfig} through {@link ConfigReader}: every value goes through
 * the config builders' validating setters, so a bad value is reported with its file and line.
 */
final class RegistryYaml {
  private RegistryYaml() {}

  static RegistryConfig bind(ConfigReader root) {
    Map<String, RetryBudgetConfig> budgets = root.namedSections("budgets", RegistryYaml::budget);
    Map<String, PipelineSpec> pipelines =
        root.namedSections("pipelines", (name, r) -> pipeline(name, r, budgets));
    return new RegistryConfig(budgets, pipelines);
  }

  private static RetryBudgetConfig budget(String name, ConfigReader r) {
    RetryBudgetConfig.Builder b = RetryBudgetConfig.builder();
    r.decimal("ratio", b::ratio)
        .decimal("minRetriesPerSecond", b::minRetriesPerSecond)
        .integer("maxBurst", b::maxBurst);
    return b.build();
  }

  private static PipelineSpec pipeline(
      String name, ConfigReader r, Map<String, RetryBudgetConfig> budgets) {
    Duration[] deadline = {null};
    String[] retryBudget = {null};
    String[] hedgeBudget = {null};
    r.duration("deadline", d -> deadline[0] = Checks.positive("deadline", d));
    RetryConfig retry = r.section("retry", s -> retry(s, budgets, n -> retryBudget[0] = n));
    HedgeConfig hedge = r.section("hedge", s -> hedge(s, budgets, n -> hedgeBudget[0] = n));
    AdaptiveThrottleConfig throttle = r.section("throttle", RegistryYaml::throttle);
    CircuitBreakerConfig breaker = r.section("circuitBreaker", RegistryYaml::breaker);
    PipelineSpec.KeyedLimit keyed = r.section("keyedRateLimiter", RegistryYaml::keyedRateLimiter);
    RateLimiterConfig limiter = r.section("rateLimiter", RegistryYaml::rateLimiter);
    TimeoutConfig[] timeout = {null};
    r.duration("timeout", d -> timeout[0] = TimeoutConfig.of(d));
    BulkheadConfig bulkhead = r.section("bulkhead", RegistryYaml::bulkhead);
    ConcurrencyLimiterConfig limit = r.section("limit", RegistryYaml::limit);
    PipelineSpec spec =
        new PipelineSpec(
            deadline[0],
            retry,
            retryBudget[0],
            hedge,
            hedgeBudget[0],
            throttle,
            breaker,
            keyed,
            limiter,
            timeout[0],
            bulkhead,
            limit);
    PipelineFactory.validate(name, spec, budgets);
    return spec;
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

  private static RetryConfig retry(
      ConfigReader r, Map<String, RetryBudgetConfig> budgets, Consumer<String> budget) {
    RetryConfig.Builder b = RetryConfig.builder();
    r.integer("maxAttempts", b::maxAttempts)
        .duration("initialDelay", b::initialDelay)
        .decimal("multiplier", b::multiplier)
        .duration("maxDelay", b::maxDelay)
        .enumValue("jitter", RetryConfig.Jitter.class, b::jitter)
        .duration("minAttemptTime", b::minAttemptTime)
        .strings("ignoreExceptions", names -> b.ignorePredicate(exceptionTypes(names)))
        .string("budget", budgetName(budgets, budget));
    return b.build();
  }

  private static HedgeConfig hedge(
      ConfigReader r, Map<String, RetryBudgetConfig> budgets, Consumer<String> budget) {
    HedgeConfig.Builder b = HedgeConfig.builder();
    r.integer("maxHedges", b::maxHedges)
        .duration("delay", b::delay)
        .decimal("percentile", b::percentile)
        .integer("minSamples", b::minSamples)
        .string("budget", budgetName(budgets, budget));
    return b.build();
  }

  private static AdaptiveThrottleConfig throttle(ConfigReader r) {
    AdaptiveThrottleConfig.Builder b = AdaptiveThrottleConfig.builder();
    r.decimal("k", b::k).duration("window", b::window);
    return b.build();
  }

  /** Window kinds as written in YAML. */
  enum Window {
    COUNT,
    TIME
  }

  private static CircuitBreakerConfig breaker(ConfigReader r) {
    CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();
    r.enumValue(
            "window",
            Window.class,
            w ->
                b.windowType(
                    w == Window.COUNT
                        ? CircuitBreakerConfig.WindowType.COUNT_BASED
                        : CircuitBreakerConfig.WindowType.TIME_BASED))
        .integer("windowSize", b::windowSize)
        .integer("minimumCalls", b::minimumCalls)
        .decimal("failureRateThreshold", b::failureRateThreshold)
        .decimal("slowCallRateThreshold", b::slowCallRateThreshold)
        .duration("slowCallDuration", b::slowCallDuration)
        .duration("waitInOpen", b::waitInOpen)
        .integer("halfOpenPermits", b::halfOpenPermits)
        .duration("maxWaitInHalfOpen", b::maxWaitInHalfOpen)
        .strings("ignoreExceptions", names -> b.ignorePredicate(exceptionTypes(names)));
    return b.build();
  }

  /** Exception classes by name, e.g. {@code java.lang.IllegalArgumentException}. */
  static ExceptionTypes exceptionTypes(List<String> names) {
    List<Class<? extends Throwable>> types = new ArrayList<>(names.size());
    for (String name : names) {
      Class<?> type;
      try {
        type = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalArgumentException("no exception class " + name + " on the class path");
      }
      if (!Throwable.class.isAssignableFrom(type)) {
        throw new IllegalArgumentException(name + " is not a Throwable");
      }
      types.add(type.asSubclass(Throwable.class));
    }
    return new ExceptionTypes(types);
  }

  private static RateLimiterConfig rateLimiter(ConfigReader r) {
    RateLimiterConfig.Builder b = rate(r);
    r.duration("maxWait", b::maxWait);
    return b.build();
  }

  /** A per-key limit never waits, so it has no maxWait. */
  private static PipelineSpec.KeyedLimit keyedRateLimiter(ConfigReader r) {
    RateLimiterConfig.Builder b = rate(r);
    String[] key = {""};
    int[] maxKeys = {10_000};
    r.require("key")
        .string(
            "key",
            k -> {
              ContextKeys.parse(k);
              key[0] = k;
            })
        .integer("maxKeys", v -> maxKeys[0] = Checks.positive("maxKeys", v));
    return new PipelineSpec.KeyedLimit(b.build(), key[0], maxKeys[0]);
  }

  private static RateLimiterConfig.Builder rate(ConfigReader r) {
    RateLimiterConfig.Builder b = RateLimiterConfig.builder();
    r.require("permits")
        .integer("permits", b::permits)
        .duration("period", b::period)
        .integer("burst", b::burst);
    return b;
  }

  private static BulkheadConfig bulkhead(ConfigReader r) {
    BulkheadConfig.Builder b = BulkheadConfig.builder();
    r.require("maxConcurrent")
        .integer("maxConcurrent", b::maxConcurrent)
        .duration("maxWait", b::maxWait);
    return b.build();
  }

  /** Limit algorithms as written in YAML. */
  enum Algorithm {
    AIMD,
    VEGAS,
    GRADIENT2
  }

  private static ConcurrencyLimiterConfig limit(ConfigReader r) {
    ConcurrencyLimiterConfig.Builder b = ConcurrencyLimiterConfig.builder();
    Algorithm[] algorithm = {Algorithm.GRADIENT2};
    r.enumValue("algorithm", Algorithm.class, a -> algorithm[0] = a);
    int[] bounds = {20, 1, 1000};
    r.integer("initialLimit", v -> bounds[0] = v)
        .integer("minLimit", v -> bounds[1] = v)
        .integer("maxLimit", v -> bounds[2] = v);
    LimitAlgorithm chosen =
        switch (algorithm[0]) {
          case AIMD -> aimd(r, bounds);
          case VEGAS -> vegas(r, bounds);
          case GRADIENT2 -> gradient2(r, bounds);
        };
    b.algorithm(chosen);
    r.section("shares", s -> shares(s, b));
    return b.build();
  }

  private static LimitAlgorithm aimd(ConfigReader r, int[] bounds) {
    double[] backoff = {0.9};
    Duration[] timeout = {Duration.ofSeconds(5)};
    r.decimal("backoffRatio", v -> backoff[0] = v).duration("timeout", v -> timeout[0] = v);
    return new AimdLimit(bounds[0], bounds[1], bounds[2], backoff[0], timeout[0]);
  }

  private static LimitAlgorithm vegas(ConfigReader r, int[] bounds) {
    double[] smoothing = {1.0};
    r.decimal("smoothing", v -> smoothing[0] = v);
    return new VegasLimit(bounds[0], bounds[1], bounds[2], smoothing[0]);
  }

  private static LimitAlgorithm gradient2(ConfigReader r, int[] bounds) {
    Gradient2Limit d = Gradient2Limit.ofDefaults();
    double[] tolerance = {d.tolerance()};
    int[] longWindow = {d.longWindow()};
    int[] queue = {d.queueSize()};
    double[] smoothing = {d.smoothing()};
    r.decimal("tolerance", v -> tolerance[0] = v)
        .integer("longWindow", v -> longWindow[0] = v)
        .integer("queueSize", v -> queue[0] = v)
        .decimal("smoothing", v -> smoothing[0] = v);
    return new Gradient2Limit(
        bounds[0], bounds[1], bounds[2], tolerance[0], longWindow[0], queue[0], smoothing[0]);
  }

  private static Boolean shares(ConfigReader r, ConcurrencyLimiterConfig.Builder b) {
    Set<String> keys = new TreeSet<>(r.keys());
    for (String key : new ArrayList<>(keys)) {
      Criticality c;
      try {
        c = Criticality.parse(key);
      } catch (IllegalArgumentException e) {
        continue; // left unread: reported as an unknown key with the known ones
      }
      r.decimal(key, v -> b.share(c, v));
    }
    return Boolean.TRUE;
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
