package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.error.RejectedException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The immutable settings of an {@link AdaptiveThrottle}.
 *
 * @param k the multiplier of accepted requests: the client sends freely while {@code requests < k ×
 *     accepts}; 2 in the SRE book, lower is more aggressive
 * @param window how far back requests and accepts are counted (whole seconds)
 * @param overload which failures mean "the backend rejected the request" (not accepted); other
 *     failures and successes count as accepted
 */
public record AdaptiveThrottleConfig(double k, Duration window, Predicate<Throwable> overload) {

  /** The default overload signal: a rejection ({@link RejectedException}). */
  public static final Predicate<Throwable> REJECTIONS =
      new Predicate<>() {
        @Override
        public boolean test(Throwable t) {
          return t instanceof RejectedException;
        }

        @Override
        public String toString() {
          return "rejections";
        }
      };

  public AdaptiveThrottleConfig {
    Checks.atLeast("k", k, 1);
    Checks.positive("window", window);
    if (window.toSeconds() < 1 || window.toNanos() % 1_000_000_000L != 0) {
      throw new IllegalArgumentException("window must be whole seconds (≥ 1s), was " + window);
    }
    Objects.requireNonNull(overload, "overload");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.k = k;
    b.window = window;
    b.overload = overload;
    return b;
  }

  /**
   * Binds a throttle section onto the defaults of {@link #builder()}: {@code k}, {@code window}.
   */
  public static AdaptiveThrottleConfig bind(ConfigReader r) {
    Builder b = builder();
    r.decimal("k", b::k).duration("window", b::window);
    return b.build();
  }

  /** Builds an {@link AdaptiveThrottleConfig}. Defaults: k = 2, window 2 minutes. */
  public static final class Builder {
    private double k = 2;
    private Duration window = Duration.ofMinutes(2);
    private Predicate<Throwable> overload = REJECTIONS;

    private Builder() {}

    public Builder k(double k) {
      this.k = Checks.atLeast("k", k, 1);
      return this;
    }

    public Builder window(Duration window) {
      this.window = Checks.positive("window", window);
      return this;
    }

    public Builder overload(Predicate<Throwable> predicate) {
      this.overload = Objects.requireNonNull(predicate, "overload");
      return this;
    }

    public AdaptiveThrottleConfig build() {
      return new AdaptiveThrottleConfig(k, window, overload);
    }
  }
}
