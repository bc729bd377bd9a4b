package io.bulwark.resilience;

import java.time.Duration;
import java.util.Objects;

/** Setter validation shared by the config builders; every message names the field and value. */
final class Checks {
  private Checks() {}

  static int positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    return value;
  }

  static long positive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    return value;
  }

  static double percent(String field, double value) {
    if (!(value > 0 && value <= 100)) {
      throw new IllegalArgumentException(field + " must be in (0, 100] percent, was " + value);
    }
    return value;
  }

  static double fraction(String field, double value, boolean zeroAllowed) {
    boolean ok = zeroAllowed ? value >= 0 && value <= 1 : value > 0 && value <= 1;
    if (!ok) {
      throw new IllegalArgumentException(
          field + " must be in " + (zeroAllowed ? "[0, 1]" : "(0, 1]") + ", was " + value);
    }
    return value;
  }

  static double atLeast(String field, double min, double value) {
    if (!(value >= min) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  static Duration positive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    return value;
  }

  static Duration notNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, was " + value);
    }
    return value;
  }

  static String name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank, was \"" + name + "\"");
    }
    return name;
  }
}
