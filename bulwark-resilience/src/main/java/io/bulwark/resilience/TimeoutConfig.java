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
