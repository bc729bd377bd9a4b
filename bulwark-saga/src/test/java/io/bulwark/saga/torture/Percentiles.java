package io.bulwark.saga.torture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of a sample, for the torture tests' reports. */
final class Percentiles {
  private Percentiles() {}

  /** The nearest-rank {@code p}-quantile (0 &lt; p ≤ 1) of {@code values}, or -1 if empty. */
  static long of(List<Long> values, double p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static String describe(List<Long> values) {
    return "p50="
        + of(values, 0.50)
        + " ms p99="
        + of(values, 0.99)
        + " ms (n="
        + values.size()
        + ")";
  }
}
