package io.bulwark.runtime.autoscale;

import java.util.Locale;

/** Arithmetic the policies share. */
final class Policies {
  /** Slack for floating point: 3.0000000001 instances is 3. */
  private static final double EPSILON = 1e-9;

  private Policies() {}

  /** Instances needed to carry {@code load} at {@code perInstance} each. */
  static int instancesFor(double load, double perInstance) {
    double n = Math.ceil(load / perInstance - EPSILON);
    return n >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(0, n);
  }

  static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }

  static String num(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  static void checkBounds(String policy, int minInstances, int maxInstances) {
    if (maxInstances < minInstances) {
      throw new IllegalArgumentException(
          policy
              + ".maxInstances ("
              + maxInstances
              + ") must be at least "
              + policy
              + ".minInstances ("
              + minInstances
              + ")");
    }
  }
}
