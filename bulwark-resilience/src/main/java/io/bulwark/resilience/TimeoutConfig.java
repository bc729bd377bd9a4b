package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;

/**
 * The immutable settings of a {@link Timeout}.
 *
 * @param timeout the longest a call may take; the effective limit is {@code min(timeout, time left
 *     before the context deadline)}
 */
public record TimeoutConfig(Duration timeout) {
  public TimeoutConfig {
    Checks.positive("timeout", timeout);
  }

  public static TimeoutConfig of(Duration timeout) {
    return new TimeoutConfig(timeout);
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    return new Builder(timeout);
  }

  /** Builds a {@link TimeoutConfig} from another; the setter validates. */
  public static final class Builder {
    private Duration timeout;

    private Builder(Duration timeout) {
      this.timeout = timeout;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive("timeout", timeout);
      return this;
    }

    public TimeoutConfig build() {
      return new TimeoutConfig(timeout);
    }
  }

  /**
   * Binds the one key of a timeout, {@code timeout} (required), from {@code r}. A pipeline section
   * holds it directly ({@code timeout: 2s} beside {@code retry:}), as the config has no other key.
   */
  public static TimeoutConfig bind(ConfigReader r) {
    Duration[] timeout = {Duration.ZERO};
    r.require("timeout").duration("timeout", d -> timeout[0] = Checks.positive("timeout", d));
    return new TimeoutConfig(timeout[0]);
  }
}
