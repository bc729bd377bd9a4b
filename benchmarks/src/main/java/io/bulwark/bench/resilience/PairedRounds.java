package io.bulwark.bench.resilience;

import static io.bulwark.bench.Stats.median;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Results of benchmarks measured in alternating rounds: for each row (operation and thread count)
 * and side (bulwark or an anchor), one ns/op and B/op per round. The ratio of a row is the median
 * over rounds of {@code bulwark / anchor} measured in the same round, back to back, so that load
 * drifting on a shared machine affects both sides of each ratio alike.
 */
final class PairedRounds {
  /** One measurement: ns/op and B/op (NaN if the GC profiler gave none). */
  record Cell(double nsPerOp, double bytesPerOp) {}

  private final Map<String, Map<String, List<Cell>>> rows = new LinkedHashMap<>();

  void add(String row, String side, Cell cell) {
    rows.computeIfAbsent(row, k -> new LinkedHashMap<>())
        .computeIfAbsent(side, k -> new ArrayList<>())
        .add(cell);
  }

  /** Prints one line per row against {@code anchor}; returns the worst median ratio. */
  double print(PrintStream out, String anchor) {
    out.printf(
        Locale.ROOT,
        "%-22s %22s %8s %22s %8s %7s %15s%n",
        "operation",
        "bulwark ns/op (range)",
        "B/op",
        anchor + " ns/op (range)",
        "B/op",
        "ratio",
        "ratio range");
    double worst = 0;
    for (Map.Entry<String, Map<String, List<Cell>>> row : rows.entrySet()) {
      List<Cell> b = row.getValue().get("bulwark");
      List<Cell> a = row.getValue().get(anchor);
      if (b == null || a == null) {
        continue;
      }
      int n = Math.min(b.size(), a.size());
      double[] ratios = new double[n];
      for (int i = 0; i < n; i++) {
        ratios[i] = b.get(i).nsPerOp() / a.get(i).nsPerOp();
      }
      double ratio = median(ratios);
      worst = Math.max(worst, ratio);
      out.printf(
          Locale.ROOT,
          "%-22s %8.1f (%5.1f-%5.1f) %8.1f %8.1f (%5.1f-%5.1f) %8.1f %7.3f %7.3f-%-7.3f%n",
          row.getKey(),
          median(ns(b)),
          min(ns(b)),
          max(ns(b)),
          median(bytes(b)),
          median(ns(a)),
          min(ns(a)),
          max(ns(a)),
          median(bytes(a)),
          ratio,
          min(ratios),
          max(ratios));
    }
    return worst;
  }

  /** The largest median B/op of the bulwark side over all rows (NaN if any is unknown). */
  double maxBulwarkBytes() {
    double max = 0;
    for (Map<String, List<Cell>> sides : rows.values()) {
      List<Cell> b = sides.get("bulwark");
      if (b != null) {
        double bytes = median(bytes(b));
        if (Double.isNaN(bytes)) {
          return Double.NaN;
        }
        max = Math.max(max, bytes);
      }
    }
    return max;
  }

  private static double[] ns(List<Cell> cells) {
    return cells.stream().mapToDouble(Cell::nsPerOp).toArray();
  }

  private static double[] bytes(List<Cell> cells) {
    return cells.stream().mapToDouble(Cell::bytesPerOp).toArray();
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }
}
