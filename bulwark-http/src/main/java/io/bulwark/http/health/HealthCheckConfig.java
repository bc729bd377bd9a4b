package io.bulwark.http.health;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;

/**
 * Settings of active health checks: probe {@code path} on every endpoint every {@code interval};
 * mark it down after {@code unhealthyThreshold} failed probes in a row and up again after {@code
 * healthyThreshold} good ones. A probe that takes longer than {@code timeout} failed. Immutable.
 */
public record HealthCheckConfig(
    String path,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold) {

  public HealthCheckConfig {
    if (!Checks.notNull("path", path).startsWith("/")) {
      throw new IllegalArgumentException(
          "health check path must start with '/', was \"" + path + "\"");
    }
    Checks.positive("interval", interval);
    Checks.positive("timeout", timeout);
    Checks.positive("healthyThreshold", healthyThreshold);
    Checks.positive("unhealthyThreshold", unhealthyThreshold);
  }

  /** {@code /health/ready} every 5 s, 1 s timeout, 2 up / 3 down. */
  public static HealthCheckConfig defaults() {
    return new HealthCheckConfig(
        "/health/ready", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return defaults().toBuilder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.path = path;
    b.interval = interval;
    b.timeout = timeout;
    b.healthyThreshold = healthyThreshold;
    b.unhealthyThreshold = unhealthyThreshold;
    return b;
  }

  /**
   * Binds {@code path, interval, timeout, healthy-threshold, unhealthy-threshold} over {@link
   * #defaults()}.
   */
  public static HealthCheckConfig bind(ConfigReader r) {
    Builder b = builder();
    r.string("path", b::path)
        .duration("interval", b::interval)
        .duration("timeout", b::timeout)
        .integer("healthy-threshold", b::healthyThreshold)
        .integer("unhealthy-threshold", b::unhealthyThreshold);
    return b.build();
  }

  /** Builds a {@link HealthCheckConfig}; setters validate. Not thread-safe. */
  public static final class Builder {
    private String path = "/";
    private Duration interval = Duration.ofSeconds(5);
    private Duration timeout = Duration.ofSeconds(1);
    private int healthyThreshold = 1;
    private int unhealthyThreshold = 1;

    private Builder() {}

    /** The path probed on every endpoint; starts with {@code /}. */
    public Builder path(String path) {
      if (!Checks.notNull("path", path).startsWith("/")) {
        throw new IllegalArgumentException(
            "health check path must start with '/', was \"" + path + "\"");
      }
      this.path = path;
      return this;
    }

    public Builder interval(Duration interval) {
      this.interval = Checks.positive("interval", interval);
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive("timeout", timeout);
      return this;
    }

    public Builder healthyThreshold(int probes) {
      this.healthyThreshold = Checks.positive("healthyThreshold", probes);
      return this;
    }

    public Builder unhealthyThreshold(int probes) {
      this.unhealthyThreshold = Checks.positive("unhealthyThreshold", probes);
      return this;
    }

    public HealthCheckConfig build() {
      return new HealthCheckConfig(path, interval, timeout, healthyThreshold, unhealthyThreshold);
    }
  }
}
