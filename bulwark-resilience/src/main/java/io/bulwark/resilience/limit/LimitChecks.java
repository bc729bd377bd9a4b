package io.bulwark.resilience.limit;

/** Validation of limit algorithm settings; messages name the field and the value. */
final class LimitChecks {
  private LimitChecks() {}

  static void bounds(int initial, int min, int max) {
    if (min < 1) {
      throw new IllegalArgumentException("minLimit must be at least 1, was " + min);
    }
    if (max < min) {
      throw new IllegalArgumentException("maxLimit " + max + " must be ≥ minLimit " + min);
    }
    if (initial < min || initial > max) {
      throw new IllegalArgumentException(
          "initialLimit " + initial + " must be within [" + min + ", " + max + "]");
    }
  }

  static void range(String field, double value, double low, double high) {
    if (!(value >= low && value <= high)) {
      throw new IllegalArgumentException(
          field + " must be within [" + low + ", " + high + "], was " + value);
    }
  }

  static int clamp(double value, int min, int max) {
    return (int) Math.max(min, Math.min(max, value));
  }
}
