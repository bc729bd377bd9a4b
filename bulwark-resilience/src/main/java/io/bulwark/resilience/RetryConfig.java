package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.error.ErrorClassifier;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of a {@link Retry}.
 *
 * <p>Built only through {@link #builder()} or {@link #toBuilder()}; compared by value.
 */
public final class RetryConfig {
  private final int maxAttempts;
  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final Jitter jitter;
  private final Predicate<Throwable> retryOn;
  private final Duration minAttemptTime;
  private final @Nullable RetryBudget budget;
  private final Predicate<@Nullable Object> retryOnResult;
  private final Predicate<Throwable> ignorePredicate;

  /** How a backoff delay is randomised. */
  public enum Jitter {
    /** Exactly {@code min(maxDelay, initialDelay × multiplier^(n-1))}. */
    NONE,
    /** Uniform in {@code [0, that delay]} ("full jitter"). */
    FULL,
    /** Uniform in {@code [initialDelay, 3 × previous delay]}, capped ("decorrelated jitter"). */
    DECORRELATED
  }

  private static final Predicate<Throwable> CLASSIFIER =
      new Predicate<>() {
        private final ErrorClassifier classifier = ErrorClassifier.defaults();

        @Override
        public boolean test(Throwable t) {
          return classifier.isRetriable(t);
        }

        @Override
        public String toString() {
          return "ErrorClassifier.defaults()";
        }
      };

  private RetryConfig(
      int maxAttempts,
      Duration initialDelay,
      double multiplier,
      Duration maxDelay,
      Jitter jitter,
      Predicate<Throwable> retryOn,
      Duration minAttemptTime,
      @Nullable RetryBudget budget,
      Predicate<@Nullable Object> retryOnResult,
      Predicate<Throwable> ignorePredicate) {
    Checks.positive("maxAttempts", maxAttempts);
    Checks.notNegative("initialDelay", initialDelay);
    Checks.atLeast("multiplier", multiplier, 1);
    Checks.notNegative("maxDelay", maxDelay);
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay " + maxDelay + " must not be shorter than initialDelay " + initialDelay);
    }
    Objects.requireNonNull(jitter, "jitter");
    Objects.requireNonNull(retryOn, "retryOn");
    Checks.notNegative("minAttemptTime", minAttemptTime);
    Objects.requireNonNull(retryOnResult, "retryOnResult");
    Objects.requireNonNull(ignorePredicate, "ignorePredicate");
    this.maxAttempts = maxAttempts;
    this.initialDelay = initialDelay;
    this.multiplier = multiplier;
    this.maxDelay = maxDelay;
    this.jitter = jitter;
    this.retryOn = retryOn;
    this.minAttemptTime = minAttemptTime;
    this.budget = budget;
    this.retryOnResult = retryOnResult;
    this.ignorePredicate = ignorePredicate;
  }

  /** Returns attempts in all, the first included (1 = no retry). */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Returns the backoff before the first retry. */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** Returns how much the backoff grows per retry. */
  public double multiplier() {
    return multiplier;
  }

  /** Returns the largest backoff. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** Returns how the backoff is randomised. */
  public Jitter jitter() {
    return jitter;
  }

  /**
   * Returns which failures are retried (default: {@link ErrorClassifier#defaults()}, which retries
   * I/O errors, timeouts and retriable Bulwark errors, not every exception).
   */
  public Predicate<Throwable> retryOn() {
    return retryOn;
  }

  /**
   * Returns the time an attempt needs: a retry is made only if the context deadline leaves more
   * than this after the backoff. The default, zero, retries whenever any time is left, even too
   * little for the attempt to finish; set it to the shortest time an attempt can succeed in.
   */
  public Duration minAttemptTime() {
    return minAttemptTime;
  }

  /** Returns the shared budget every retry must take a token from, or null for none. */
  public @Nullable RetryBudget budget() {
    return budget;
  }

  /**
   * Returns which results of attempts that returned normally are retried like failures; when no
   * retry is left the last such result is returned (default: none).
   */
  public Predicate<@Nullable Object> retryOnResult() {
    return retryOnResult;
  }

  /** Returns failures never retried, whatever {@code retryOn} says (default: none). */
  public Predicate<Throwable> ignorePredicate() {
    return ignorePredicate;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RetryConfig c
        && maxAttempts == c.maxAttempts
        && Objects.equals(initialDelay, c.initialDelay)
        && Double.compare(multiplier, c.multiplier) == 0
        && Objects.equals(maxDelay, c.maxDelay)
        && Objects.equals(jitter, c.jitter)
        && Objects.equals(retryOn, c.retryOn)
        && Objects.equals(minAttemptTime, c.minAttemptTime)
        && Objects.equals(budget, c.budget)
        && Objects.equals(retryOnResult, c.retryOnResult)
        && Objects.equals(ignorePredicate, c.ignorePredicate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        maxAttempts,
        initialDelay,
        multiplier,
        maxDelay,
        jitter,
        retryOn,
        minAttemptTime,
        budget,
        retryOnResult,
        ignorePredicate);
  }

  @Override
  public String toString() {
    return "RetryConfig["
        + "maxAttempts="
        + maxAttempts
        + ", initialDelay="
        + initialDelay
        + ", multiplier="
        + multiplier
        + ", maxDelay="
        + maxDelay
        + ", jitter="
        + jitter
        + ", retryOn="
        + retryOn
        + ", minAttemptTime="
        + minAttemptTime
        + ", budget="
        + budget
        + ", retryOnResult="
        + retryOnResult
        + ", ignorePredicate="
        + ignorePredicate
        + "]";
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds a retry section onto the defaults of {@link #builder()}: {@code max-attempts}, {@code
   * initial-delay}, {@code multiplier}, {@code max-delay}, {@code jitter}, {@code
   * min-attempt-time}, {@code ignore-exceptions} (class names). The registry binds its pipelines'
   * {@code retry} sections with it.
   */
  public static RetryConfig bind(ConfigReader r) {
    Builder b = builder();
    r.integer("max-attempts", b::maxAttempts)
        .duration("initial-delay", b::initialDelay)
        .decimal("multiplier", b::multiplier)
        .duration("max-delay", b::maxDelay)
        .enumValue("jitter", Jitter.class, b::jitter)
        .duration("min-attempt-time", b::minAttemptTime)
        .strings("ignore-exceptions", names -> b.ignorePredicate(ExceptionTypes.named(names)));
    return b.build();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.initialDelay = initialDelay;
    b.multiplier = multiplier;
    b.maxDelay = maxDelay;
    b.jitter = jitter;
    b.retryOn = retryOn;
    b.minAttemptTime = minAttemptTime;
    b.budget = budget;
    b.retryOnResult = retryOnResult;
    b.ignorePredicate = ignorePredicate;
    return b;
  }

  /** The sum of the longest backoffs of all retries (jitter only shortens them, except below). */
  public Duration maxTotalBackoff() {
    double total = 0;
    double delay = initialDelay.toNanos();
    for (int retry = 1; retry < maxAttempts; retry++) {
      double cap = maxDelay.toNanos();
      total += jitter == Jitter.DECORRELATED ? cap : Math.min(cap, delay);
      delay *= multiplier;
    }
    return Duration.ofNanos((long) Math.min(Long.MAX_VALUE, total));
  }

  /**
   * Builds a {@link RetryConfig}; setters validate. Defaults: 3 attempts, 100 ms doubling to 10 s,
   * full jitter, retry what the error taxonomy calls retriable, no budget.
   */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialDelay = Duration.ofMillis(100);
    private double multiplier = 2;
    private Duration maxDelay = Duration.ofSeconds(10);
    private Jitter jitter = Jitter.FULL;
    private Predicate<Throwable> retryOn = CLASSIFIER;
    private Duration minAttemptTime = Duration.ZERO;
    private @Nullable RetryBudget budget;
    private Predicate<@Nullable Object> retryOnResult = CircuitBreakerConfig.NO_RESULT;
    private Predicate<Throwable> ignorePredicate = ExceptionTypes.NONE;

    private Builder() {}

    public Builder maxAttempts(int attempts) {
      this.maxAttempts = Checks.positive("maxAttempts", attempts);
      return this;
    }

    /**
     * Exponential backoff: {@code initial}, then × {@code multiplier} per retry, up to {@code max}.
     */
    public Builder backoff(Duration initial, double multiplier, Duration max) {
      return initialDelay(initial).multiplier(multiplier).maxDelay(max);
    }

    /** The same delay before every retry. */
    public Builder fixedDelay(Duration delay) {
      return initialDelay(delay).multiplier(1).maxDelay(delay).jitter(Jitter.NONE);
    }

    public Builder initialDelay(Duration delay) {
      this.initialDelay = Checks.notNegative("initialDelay", delay);
      return this;
    }

    public Builder multiplier(double multiplier) {
      this.multiplier = Checks.atLeast("multiplier", multiplier, 1);
      return this;
    }

    public Builder maxDelay(Duration delay) {
      this.maxDelay = Checks.notNegative("maxDelay", delay);
      return this;
    }

    public Builder jitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    public Builder retryOn(Predicate<Throwable> predicate) {
      this.retryOn = Objects.requireNonNull(predicate, "retryOn");
      return this;
    }

    /** Retries attempts whose result {@code predicate} accepts, like failures. */
    public Builder retryOnResult(Predicate<@Nullable Object> predicate) {
      this.retryOnResult = Objects.requireNonNull(predicate, "retryOnResult");
      return this;
    }

    /** Failures {@code predicate} accepts are never retried, whatever {@link #retryOn} says. */
    public Builder ignorePredicate(Predicate<Throwable> predicate) {
      this.ignorePredicate = Objects.requireNonNull(predicate, "ignorePredicate");
      return this;
    }

    /** Never retries failures of these types and their subclasses. */
    @SafeVarargs
    public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
      return ignorePredicate(ExceptionTypes.of("ignoreExceptions", types));
    }

    /**
     * A retry is made only if the context deadline leaves more than {@code time} after the backoff
     * (default zero: whenever any time is left).
     */
    public Builder minAttemptTime(Duration time) {
      this.minAttemptTime = Checks.notNegative("minAttemptTime", time);
      return this;
    }

    public Builder budget(@Nullable RetryBudget budget) {
      this.budget = budget;
      return this;
    }

    public RetryConfig build() {
      return new RetryConfig(
          maxAttempts,
          initialDelay,
          multiplier,
          maxDelay,
          jitter,
          retryOn,
          minAttemptTime,
          budget,
          retryOnResult,
          ignorePredicate);
    }
  }
}
