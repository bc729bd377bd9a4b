package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;

/**
 * The immutable settings of a {@link RateLimiter}: {@code permits} per {@code period}, up to {@code
 * burst} at once. Equivalent to a token bucket of capacity {@code burst} refilled at {@code
 * permits/period}.
 *
 * @param permits permits per period
 * @param period the period
 * @param burst how many permits may be taken at once after a quiet spell (at least 1)
 * @param maxWait how long a call may wait for its permit; zero = never waits
 */
public record RateLimiterConfig(int permits, Duration period, int burst, Duration maxWait) {

  public RateLimiterConfig {
    Checks.positive("permits", permits);
    Checks.positive("period", period);
    Checks.positive("burst", burst);
    Checks.notNegative("maxWait", maxWait);
    long periodNanos = period.toNanos();
    if (permits > periodNanos) {
      throw new IllegalArgumentException(
          "permits "
              + permits
              + " per "
              + period
              + " is more than one per nanosecond; use a longer period");
    }
    if ((double) burst * Math.ceil((double) periodNanos / permits) > 1e17) {
      throw new IllegalArgumentException(
          "burst " + burst + " × the interval " + period + "/" + permits + " is too long");
    }
  }

  /** Nanoseconds between two permits at the steady rate, rounded up (never faster than asked). */
  public long intervalNanos() {
    long periodNanos = period.toNanos();
    return (periodNanos + permits - 1) / permits;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.permits = permits;
    b.period = period;
    b.burst = burst;
    b.maxWait = maxWait;
    return b;
  }

  /**
   * Binds a rate limiter section onto the defaults of {@link #builder()}: {@code permits}
   * (required), {@code period}, {@code burst}, {@code max-wait}.
   */
  public static RateLimiterConfig bind(ConfigReader r) {
    Builder b = bindRate(r);
    r.duration("max-wait", b::maxWait);
    return b.build();
  }

  /** The keys every rate limit has, a per-key one included: {@code permits, period, burst}. */
  static Builder bindRate(ConfigReader r) {
    Builder b = builder();
    r.require("permits")
        .integer("permits", b::permits)
        .duration("period", b::period)
        .integer("burst", b::burst);
    return b;
  }

  /** Builds a {@link RateLimiterConfig}; setters validate. Default burst: {@code permits}. */
  public static final class Builder {
    private int permits = 100;
    private Duration period = Duration.ofSeconds(1);
    private int burst = -1;
    private Duration maxWait = Duration.ZERO;

    private Builder() {}

    /** {@code permits} per {@code period}. */
    public Builder rate(int permits, Duration period) {
      return permits(permits).period(period);
    }

    public Builder permits(int permits) {
      this.permits = Checks.positive("permits", permits);
      return this;
    }

    public Builder period(Duration period) {
      this.period = Checks.positive("period", period);
      return this;
    }

    public Builder burst(int burst) {
      this.burst = Checks.positive("burst", burst);
      return this;
    }

    public Builder maxWait(Duration wait) {
      this.maxWait = Checks.notNegative("maxWait", wait);
      return this;
    }

    public RateLimiterConfig build() {
      return new RateLimiterConfig(permits, period, burst < 0 ? permits : burst, maxWait);
    }
  }
}
