package io.bulwark.bench;

import java.util.Arrays;

/** Summaries the suites take of their rounds. */
public final class Stats {
  private Stats() {}

  /** The median of {@code values} (the mean of the middle two for an even count); NaN if none. */
  public static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
