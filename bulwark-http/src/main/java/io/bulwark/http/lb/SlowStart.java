package io.bulwark.http.lb;

import io.bulwark.core.time.Clock;
import java.time.Duration;

/**
 * Ramps a new endpoint's share of traffic up over a window, so a cold instance (empty caches, JIT
 * not warm) is not flooded the moment it appears. The weight grows linearly from {@code minWeight}
 * to 1 over {@code window} from the endpoint's first appearance. Immutable.
 */
public record SlowStart(Duration window, double minWeight) {
  /** No ramp: every endpoint has full weight at once. */
  public static final SlowStart NONE = new SlowStart(Duration.ZERO, 1.0);

  public SlowStart {
    if (window.isNegative()) {
      throw new IllegalArgumentException("slow start window must not be negative, was " + window);
    }
    if (!(minWeight > 0 && minWeight <= 1)) {
      throw new IllegalArgumentException(
          "slow start minWeight must be in (0, 1], was " + minWeight);
    }
  }

  /** The weight in [{@code minWeight}, 1] of {@code endpoint} now. */
  public double weight(EndpointState endpoint, Clock clock) {
    long windowNanos = window.toNanos();
    if (windowNanos == 0) {
      return 1.0;
    }
    long age = clock.nanoTime() - endpoint.addedAtNanos();
    if (age >= windowNanos) {
      return 1.0;
    }
    double fraction = Math.max(0, (double) age / windowNanos);
    return minWeight + (1 - minWeight) * fraction;
  }
}
