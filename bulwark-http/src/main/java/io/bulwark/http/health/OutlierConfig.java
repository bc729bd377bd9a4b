package io.bulwark.http.health;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;

/**
 * Settings of passive outlier ejection. YAML keys match the builder: {@code consecutiveFailures},
 * {@code failureRateThreshold}, {@code minimumRequests}, {@code interval}, {@code baseEjection},
 * {@code maxEjection}, {@code maxEjectedShare}. Immutable.
 */
public record OutlierConfig(
    int consecutiveFailures,
    double failureRateThreshold,
    int minimumRequests,
    Duration interval,
    Duration baseEjection,
    Duration maxEjection,
    double maxEjectedShare) {

  public static OutlierConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.consecutiveFailures = consecutiveFailures;
    b.failureRateThreshold = failureRateThreshold;
    b.minimumRequests = minimumRequests;
    b.interval = interval;
    b.baseEjection = baseEjection;
    b.maxEjection = maxEjection;
    b.maxEjectedShare = maxEjectedShare;
    return b;
  }

  public static OutlierConfig bind(ConfigReader r) {
    Builder b = builder();
    r.integer("consecutive-failures", b::consecutiveFailures)
        .decimal("failure-rate-threshold", b::failureRateThreshold)
        .integer("minimum-requests", b::minimumRequests)
        .duration("interval", b::interval)
        .duration("base-ejection", b::baseEjection)
        .duration("max-ejection", b::maxEjection)
        .decimal("max-ejected-share", b::maxEjectedShare);
    return b.build();
  }

  /** Builds an {@link OutlierConfig}; setters validate and name the bad value. */
  public static final class Builder {
    private int consecutiveFailures = 5;
    private double failureRateThreshold = 0.5;
    private int minimumRequests = 20;
    private Duration interval = Duration.ofSeconds(10);
    private Duration baseEjection = Duration.ofSeconds(30);
    private Duration maxEjection = Duration.ofMinutes(5);
    private double maxEjectedShare = 0.5;

    private Builder() {}

    /** Eject after this many failures in a row (default 5). */
    public Builder consecutiveFailures(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("consecutiveFailures must be at least 1, was " + n);
      }
      this.consecutiveFailures = n;
      return this;
    }

    /** Eject when the failure rate within an interval reaches this (default 0.5). */
    public Builder failureRateThreshold(double rate) {
      if (!(rate > 0 && rate <= 1)) {
        throw new IllegalArgumentException("failureRateThreshold must be in (0, 1], was " + rate);
      }
      this.failureRateThreshold = rate;
      return this;
    }

    /** The failure rate counts only with at least this many requests in the interval. */
    public Builder minimumRequests(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("minimumRequests must be at least 1, was " + n);
      }
      this.minimumRequests = n;
      return this;
    }

    /** The window over which the failure rate is measured. */
    public Builder interval(Duration d) {
      this.interval = Checks.positive("interval", d);
      return this;
    }

    /** The first ejection lasts this long; the k-th lasts k times as long (up to maxEjection). */
    public Builder baseEjection(Duration d) {
      this.baseEjection = Checks.positive("baseEjection", d);
      return this;
    }

    public Builder maxEjection(Duration d) {
      this.maxEjection = Checks.positive("maxEjection", d);
      return this;
    }

    /** At most this share of a service's endpoints are ejected at once (default 0.5). */
    public Builder maxEjectedShare(double share) {
      this.maxEjectedShare = Checks.fraction("maxEjectedShare", share);
      return this;
    }

    public OutlierConfig build() {
      if (maxEjection.compareTo(baseEjection) < 0) {
        throw new IllegalArgumentException(
            "maxEjection " + maxEjection + " is shorter than baseEjection " + baseEjection);
      }
      return new OutlierConfig(
          consecutiveFailures,
          failureRateThreshold,
          minimumRequests,
          interval,
          baseEjection,
          maxEjection,
          maxEjectedShare);
    }
  }
}
