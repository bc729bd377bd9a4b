package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of a {@link CircuitBreaker}. Build with {@link #builder()}; every setter
 * validates its value and names it in the error.
 *
 * <p>Built only through {@link #builder()} or {@link #toBuilder()}; compared by value.
 */
public final class CircuitBreakerConfig {
  private final WindowType windowType;
  private final int windowSize;
  private final int minimumCalls;
  private final double failureRateThreshold;
  private final double slowCallRateThreshold;
  private final Duration slowCallDuration;
  private final Duration waitInOpen;
  private final int halfOpenPermits;
  private final Duration maxWaitInHalfOpen;
  private final Predicate<Throwable> failurePredicate;
  private final Predicate<Throwable> ignorePredicate;
  private final Predicate<@Nullable Object> resultPredicate;

  /**
   * The default failure predicate: every failure counts. A call that never reached the dependency
   * (a rejection by a policy below, a deadline that passed before the call) is not recorded at all,
   * so it never gets here.
   */
  public static final Predicate<Throwable> EVERY_FAILURE =
      new Predicate<>() {
        @Override
        public boolean test(Throwable t) {
          return true;
        }

        @Override
        public String toString() {
          return "every failure";
        }
      };

  /** The default result predicate: a call that returned normally is a success. */
  public static final Predicate<@Nullable Object> NO_RESULT =
      new Predicate<>() {
        @Override
        public boolean test(@Nullable Object result) {
          return false;
        }

        @Override
        public String toString() {
          return "no result";
        }
      };

  /** How the window of recent calls is measured. */
  public enum WindowType {
    /** The last {@code windowSize} calls. */
    COUNT_BASED,
    /** The calls of the last {@code windowSize} seconds. */
    TIME_BASED
  }

  private CircuitBreakerConfig(
      WindowType windowType,
      int windowSize,
      int minimumCalls,
      double failureRateThreshold,
      double slowCallRateThreshold,
      Duration slowCallDuration,
      Duration waitInOpen,
      int halfOpenPermits,
      Duration maxWaitInHalfOpen,
      Predicate<Throwable> failurePredicate,
      Predicate<Throwable> ignorePredicate,
      Predicate<@Nullable Object> resultPredicate) {
    Objects.requireNonNull(windowType, "windowType");
    Checks.positive("windowSize", windowSize);
    Checks.positive("minimumCalls", minimumCalls);
    Checks.percent("failureRateThreshold", failureRateThreshold);
    if (slowCallRateThreshold != 0) {
      Checks.percent("slowCallRateThreshold", slowCallRateThreshold);
    }
    Checks.positive("slowCallDuration", slowCallDuration);
    Checks.positive("waitInOpen", waitInOpen);
    Checks.positive("halfOpenPermits", halfOpenPermits);
    Checks.notNegative("maxWaitInHalfOpen", maxWaitInHalfOpen);
    Objects.requireNonNull(failurePredicate, "failurePredicate");
    Objects.requireNonNull(ignorePredicate, "ignorePredicate");
    Objects.requireNonNull(resultPredicate, "resultPredicate");
    this.windowType = windowType;
    this.windowSize = windowSize;
    this.minimumCalls = minimumCalls;
    this.failureRateThreshold = failureRateThreshold;
    this.slowCallRateThreshold = slowCallRateThreshold;
    this.slowCallDuration = slowCallDuration;
    this.waitInOpen = waitInOpen;
    this.halfOpenPermits = halfOpenPermits;
    this.maxWaitInHalfOpen = maxWaitInHalfOpen;
    this.failurePredicate = failurePredicate;
    this.ignorePredicate = ignorePredicate;
    this.resultPredicate = resultPredicate;
  }

  /** Returns count-based (last N calls) or time-based (last N seconds). */
  public WindowType windowType() {
    return windowType;
  }

  /** Returns N calls or N seconds. */
  public int windowSize() {
    return windowSize;
  }

  /** Returns calls the window must hold before the rates are judged. */
  public int minimumCalls() {
    return minimumCalls;
  }

  /** Returns open when the failure rate reaches this percentage. */
  public double failureRateThreshold() {
    return failureRateThreshold;
  }

  /**
   * Returns open when the slow-call rate reaches this percentage; 0 = slow calls are not tracked
   * (and calls are not timed).
   */
  public double slowCallRateThreshold() {
    return slowCallRateThreshold;
  }

  /** Returns a call at least this long is slow. */
  public Duration slowCallDuration() {
    return slowCallDuration;
  }

  /** Returns how long the breaker stays open before letting probes through. */
  public Duration waitInOpen() {
    return waitInOpen;
  }

  /** Returns how many probe calls half-open admits and judges. */
  public int halfOpenPermits() {
    return halfOpenPermits;
  }

  /** Returns re-open if the probes have not all finished within this; zero = wait forever. */
  public Duration maxWaitInHalfOpen() {
    return maxWaitInHalfOpen;
  }

  /** Returns which failures count against the dependency; the rest count as successes. */
  public Predicate<Throwable> failurePredicate() {
    return failurePredicate;
  }

  /**
   * Returns failures recorded as neither success nor failure (a half-open probe that ends so gives
   * its permit back); checked before {@code failurePredicate}.
   */
  public Predicate<Throwable> ignorePredicate() {
    return ignorePredicate;
  }

  /** Returns which results of calls that returned normally count as failures. */
  public Predicate<@Nullable Object> resultPredicate() {
    return resultPredicate;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof CircuitBreakerConfig c
        && Objects.equals(windowType, c.windowType)
        && windowSize == c.windowSize
        && minimumCalls == c.minimumCalls
        && Double.compare(failureRateThreshold, c.failureRateThreshold) == 0
        && Double.compare(slowCallRateThreshold, c.slowCallRateThreshold) == 0
        && Objects.equals(slowCallDuration, c.slowCallDuration)
        && Objects.equals(waitInOpen, c.waitInOpen)
        && halfOpenPermits == c.halfOpenPermits
        && Objects.equals(maxWaitInHalfOpen, c.maxWaitInHalfOpen)
        && Objects.equals(failurePredicate, c.failurePredicate)
        && Objects.equals(ignorePredicate, c.ignorePredicate)
        && Objects.equals(resultPredicate, c.resultPredicate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        windowType,
        windowSize,
        minimumCalls,
        failureRateThreshold,
        slowCallRateThreshold,
        slowCallDuration,
        waitInOpen,
        halfOpenPermits,
        maxWaitInHalfOpen,
        failurePredicate,
        ignorePredicate,
        resultPredicate);
  }

  @Override
  public String toString() {
    return "CircuitBreakerConfig["
        + "windowType="
        + windowType
        + ", windowSize="
        + windowSize
        + ", minimumCalls="
        + minimumCalls
        + ", failureRateThreshold="
        + failureRateThreshold
        + ", slowCallRateThreshold="
        + slowCallRateThreshold
        + ", slowCallDuration="
        + slowCallDuration
        + ", waitInOpen="
        + waitInOpen
        + ", halfOpenPermits="
        + halfOpenPermits
        + ", maxWaitInHalfOpen="
        + maxWaitInHalfOpen
        + ", failurePredicate="
        + failurePredicate
        + ", ignorePredicate="
        + ignorePredicate
        + ", resultPredicate="
        + resultPredicate
        + "]";
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.windowType = windowType;
    b.windowSize = windowSize;
    b.minimumCalls = minimumCalls;
    b.failureRateThreshold = failureRateThreshold;
    b.slowCallRateThreshold = slowCallRateThreshold;
    b.slowCallDuration = slowCallDuration;
    b.waitInOpen = waitInOpen;
    b.halfOpenPermits = halfOpenPermits;
    b.maxWaitInHalfOpen = maxWaitInHalfOpen;
    b.failurePredicate = failurePredicate;
    b.ignorePredicate = ignorePredicate;
    b.resultPredicate = resultPredicate;
    return b;
  }

  /** Window kinds as written in YAML. */
  enum YamlWindow {
    COUNT,
    TIME
  }

  /**
   * Binds a circuit breaker section onto the defaults of {@link #builder()}: {@code window} ({@code
   * count} or {@code time}), {@code window-size}, {@code minimum-calls}, {@code
   * failure-rate-threshold}, {@code slow-call-rate-threshold}, {@code slow-call-duration}, {@code
   * wait-in-open}, {@code half-open-permits}, {@code max-wait-in-half-open}, {@code
   * ignore-exceptions} (class names).
   */
  public static CircuitBreakerConfig bind(ConfigReader r) {
    Builder b = builder();
    r.enumValue(
            "window",
            YamlWindow.class,
            w ->
                b.windowType(
                    w == YamlWindow.COUNT ? WindowType.COUNT_BASED : WindowType.TIME_BASED))
        .integer("window-size", b::windowSize)
        .integer("minimum-calls", b::minimumCalls)
        .decimal("failure-rate-threshold", b::failureRateThreshold)
        .decimal("slow-call-rate-threshold", b::slowCallRateThreshold)
        .duration("slow-call-duration", b::slowCallDuration)
        .duration("wait-in-open", b::waitInOpen)
        .integer("half-open-permits", b::halfOpenPermits)
        .duration("max-wait-in-half-open", b::maxWaitInHalfOpen)
        .strings("ignore-exceptions", names -> b.ignorePredicate(ExceptionTypes.named(names)));
    return b.build();
  }

  /** Count-based window of 100 calls, 50% failure threshold, 60 s open, 10 probes. */
  public static CircuitBreakerConfig ofDefaults() {
    return builder().build();
  }

  /** True if calls are timed to detect slow ones. */
  public boolean tracksSlowCalls() {
    return slowCallRateThreshold > 0;
  }

  /** Builds a {@link CircuitBreakerConfig}; setters validate. Not thread-safe. */
  public static final class Builder {
    private WindowType windowType = WindowType.COUNT_BASED;
    private int windowSize = 100;
    private int minimumCalls = 100;
    private double failureRateThreshold = 50;
    private double slowCallRateThreshold = 0;
    private Duration slowCallDuration = Duration.ofSeconds(60);
    private Duration waitInOpen = Duration.ofSeconds(60);
    private int halfOpenPermits = 10;
    private Duration maxWaitInHalfOpen = Duration.ZERO;
    private Predicate<Throwable> failurePredicate = EVERY_FAILURE;
    private Predicate<Throwable> ignorePredicate = ExceptionTypes.NONE;
    private Predicate<@Nullable Object> resultPredicate = NO_RESULT;

    private Builder() {}

    /** A window of the last {@code calls} calls (the default: 100). */
    public Builder countBasedWindow(int calls) {
      this.windowSize = Checks.positive("windowSize", calls);
      this.windowType = WindowType.COUNT_BASED;
      return this;
    }

    /** A window of the calls of the last {@code seconds} seconds. */
    public Builder timeBasedWindow(int seconds) {
      this.windowSize = Checks.positive("windowSize", seconds);
      this.windowType = WindowType.TIME_BASED;
      return this;
    }

    public Builder windowType(WindowType type) {
      this.windowType = Objects.requireNonNull(type, "windowType");
      return this;
    }

    public Builder windowSize(int size) {
      this.windowSize = Checks.positive("windowSize", size);
      return this;
    }

    public Builder minimumCalls(int calls) {
      this.minimumCalls = Checks.positive("minimumCalls", calls);
      return this;
    }

    public Builder failureRateThreshold(double percent) {
      this.failureRateThreshold = Checks.percent("failureRateThreshold", percent);
      return this;
    }

    /** Tracks slow calls: open when {@code percent} of the window took {@code duration} or more. */
    public Builder slowCalls(double percent, Duration duration) {
      return slowCallRateThreshold(percent).slowCallDuration(duration);
    }

    public Builder slowCallRateThreshold(double percent) {
      this.slowCallRateThreshold = Checks.percent("slowCallRateThreshold", percent);
      return this;
    }

    public Builder slowCallDuration(Duration duration) {
      this.slowCallDuration = Checks.positive("slowCallDuration", duration);
      return this;
    }

    public Builder waitInOpen(Duration wait) {
      this.waitInOpen = Checks.positive("waitInOpen", wait);
      return this;
    }

    public Builder halfOpenPermits(int permits) {
      this.halfOpenPermits = Checks.positive("halfOpenPermits", permits);
      return this;
    }

    public Builder maxWaitInHalfOpen(Duration wait) {
      this.maxWaitInHalfOpen = Checks.notNegative("maxWaitInHalfOpen", wait);
      return this;
    }

    /**
     * Which failures count against the dependency; the others count as successes (the default:
     * every failure). Calls that never reached the dependency are not recorded whatever this says.
     */
    public Builder failurePredicate(Predicate<Throwable> predicate) {
      this.failurePredicate = Objects.requireNonNull(predicate, "failurePredicate");
      return this;
    }

    /**
     * Failures recorded as neither success nor failure, e.g. a caller's bad request; a half-open
     * probe that ends with one gives its permit back. Checked before {@link #failurePredicate}.
     */
    public Builder ignorePredicate(Predicate<Throwable> predicate) {
      this.ignorePredicate = Objects.requireNonNull(predicate, "ignorePredicate");
      return this;
    }

    /** Ignores failures of these types and their subclasses (see {@link #ignorePredicate}). */
    @SafeVarargs
    public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
      return ignorePredicate(ExceptionTypes.of("ignoreExceptions", types));
    }

    /** Which results of calls that returned normally count as failures (the default: none). */
    public Builder recordResult(Predicate<@Nullable Object> predicate) {
      this.resultPredicate = Objects.requireNonNull(predicate, "recordResult");
      return this;
    }

    public CircuitBreakerConfig build() {
      return new CircuitBreakerConfig(
          windowType,
          windowSize,
          minimumCalls,
          failureRateThreshold,
          slowCallRateThreshold,
          slowCallDuration,
          waitInOpen,
          halfOpenPermits,
          maxWaitInHalfOpen,
          failurePredicate,
          ignorePredicate,
          resultPredicate);
    }
  }
}
