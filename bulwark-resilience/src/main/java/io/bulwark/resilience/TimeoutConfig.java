package io.bulwark.resilience;

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
}
