package io.bulwark.chaos;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of {@link Chaos}. Chaos is off unless {@code enabled}; every fault expires
 * within {@code max-duration}. Built by {@link #builder()} (setters validate and name the bad
 * value) or bound from YAML with {@link #bind(ConfigReader)}:
 *
 * <pre>{@code
 * enabled: true                 # off by default: no fault can start
 * max-duration: 30m             # the longest a fault may stay active
 * max-active-faults: 64         # faults active at once
 * admin-token: ${CHAOS_TOKEN}   # the admin routes accept remote callers only with this bearer token
 * }</pre>
 */
public final class ChaosConfig {
  private static final ChaosConfig DISABLED = builder().build();

  private final boolean enabled;
  private final Duration maxDuration;
  private final int maxActiveFaults;
  private final @Nullable String adminToken;

  private ChaosConfig(Builder b) {
    this.enabled = b.enabled;
    this.maxDuration = b.maxDuration;
    this.maxActiveFaults = b.maxActiveFaults;
    this.adminToken = b.adminToken;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Chaos off: the default. */
  public static ChaosConfig disabled() {
    return DISABLED;
  }

  /** Chaos on with the default limits. */
  public static ChaosConfig enabledDefaults() {
    return builder().enabled(true).build();
  }

  /** Binds a YAML section (see the class comment). */
  public static ChaosConfig bind(ConfigReader r) {
    Builder b = builder();
    r.bool("enabled", b::enabled)
        .duration("max-duration", b::maxDuration)
        .integer("max-active-faults", b::maxActiveFaults)
        .string("admin-token", b::adminToken);
    return b.build();
  }

  public boolean enabled() {
    return enabled;
  }

  public Duration maxDuration() {
    return maxDuration;
  }

  public int maxActiveFaults() {
    return maxActiveFaults;
  }

  /** The bearer token of the admin routes; null: loopback callers only. */
  public @Nullable String adminToken() {
    return adminToken;
  }

  public Builder toBuilder() {
    Builder b =
        builder().enabled(enabled).maxDuration(maxDuration).maxActiveFaults(maxActiveFaults);
    b.adminToken = adminToken;
    return b;
  }

  @Override
  public String toString() {
    return "ChaosConfig[enabled="
        + enabled
        + ", maxDuration="
        + maxDuration
        + ", maxActiveFaults="
        + maxActiveFaults
        + ", adminToken="
        + (adminToken == null ? "none" : "***")
        + "]";
  }

  /** Builds a {@link ChaosConfig}. */
  public static final class Builder {
    private boolean enabled;
    private Duration maxDuration = Duration.ofHours(1);
    private int maxActiveFaults = 64;
    private @Nullable String adminToken;

    private Builder() {}

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** The longest a fault may stay active (default 1 h, at most 24 h). */
    public Builder maxDuration(Duration maxDuration) {
      Checks.positive("maxDuration", maxDuration);
      if (maxDuration.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("maxDuration must be <= 24h, was " + maxDuration);
      }
      this.maxDuration = maxDuration;
      return this;
    }

    public Builder maxActiveFaults(int maxActiveFaults) {
      this.maxActiveFaults = Checks.inRange("maxActiveFaults", maxActiveFaults, 1, 10_000);
      return this;
    }

    /** The admin routes' bearer token: at least 16 characters. */
    public Builder adminToken(String token) {
      if (token.length() < 16 || token.isBlank()) {
        throw new IllegalArgumentException(
            "adminToken must be at least 16 characters, was " + token.length());
      }
      this.adminToken = token;
      return this;
    }

    public ChaosConfig build() {
      return new ChaosConfig(this);
    }
  }
}
