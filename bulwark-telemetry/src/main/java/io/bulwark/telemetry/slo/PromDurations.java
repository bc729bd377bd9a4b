package io.bulwark.telemetry.slo;

import java.time.Duration;

/** Prometheus duration literals ({@code 5m}, {@code 1h}, {@code 3d}) for whole units. */
final class PromDurations {
  private PromDurations() {}

  static String format(Duration d) {
    long s = d.toSeconds();
    if (d.toNanos() % 1_000_000_000L != 0 || s <= 0) {
      throw new IllegalArgumentException("window must be whole seconds, was " + d);
    }
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
