package io.bulwark.http.health;

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
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(
          "health check path must start with '/', was \"" + path + "\"");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("health check interval must be positive, was " + interval);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("health check timeout must be positive, was " + timeout);
    }
    if (healthyThreshold < 1) {
      throw new IllegalArgumentException(
          "healthyThreshold must be at least 1, was " + healthyThreshold);
    }
    if (unhealthyThreshold < 1) {
      throw new IllegalArgumentException(
          "unhealthyThreshold must be at least 1, was " + unhealthyThreshold);
    }
  }

  /** {@code /health/ready} every 5 s, 1 s timeout, 2 up / 3 down. */
  public static HealthCheckConfig defaults() {
    return new HealthCheckConfig(
        "/health/ready", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);
  }

  /** Binds {@code path, interval, timeout, healthyThreshold, unhealthyThreshold} over defaults. */
  public static HealthCheckConfig bind(ConfigReader r) {
    HealthCheckConfig d = defaults();
    String[] path = {d.path()};
    Duration[] interval = {d.interval()};
    Duration[] timeout = {d.timeout()};
    int[] up = {d.healthyThreshold()};
    int[] down = {d.unhealthyThreshold()};
    r.string("path", v -> path[0] = v)
        .duration("interval", v -> interval[0] = v)
        .duration("timeout", v -> timeout[0] = v)
        .integer("healthy-threshold", v -> up[0] = v)
        .integer("unhealthy-threshold", v -> down[0] = v);
    return new HealthCheckConfig(path[0], interval[0], timeout[0], up[0], down[0]);
  }
}
