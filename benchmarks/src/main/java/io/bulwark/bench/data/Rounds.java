package io.bulwark.bench.data;

import static io.bulwark.bench.Stats.median;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measurements taken in alternating rounds: for each row (e.g. {@code jump n=100} or {@code get-hit
 * t=2}) and side ({@code bulwark}, {@code guava}, {@code caffeine}...), one ns/op and B/op per
 * round. A ratio between two sides of a row is the median over rounds of the ratio measured in the
 * same round, back to back, so that load drifting on the shared machine touches both sides alike.
 */
final class Rounds {
  /** One measurement: ns/op and B/op (NaN when the GC profiler gave none). */
  record Cell(double nsPerOp, double bytesPerOp) {}

  private final Map<String, Map<String, List<Cell>>> rows = new LinkedHashMap<>();

  void add(String row, String side, Cell cell) {
    rows.computeIfAbsent(row, k -> new LinkedHashMap<>())
        .computeIfAbsent(side, k -> new ArrayList<>())
        .add(cell);
  }

  List<Cell> cells(String row, String side) {
    return rows.getOrDefault(row, Map.of()).getOrDefault(side, List.of());
  }

  /** Median ns/op of one side of a row over the rounds (NaN if never measured). */
  double medianNs(String row, String side) {
    return median(cells(row, side).stream().mapToDouble(Cell::nsPerOp).toArray());
  }

  double medianBytes(String row, String side) {
    return median(cells(row, side).stream().mapToDouble(Cell::bytesPerOp).toArray());
  }

  /** Per-round ratios {@code side / anchor} of a row (rounds where both were measured). */
  double[] ratios(String row, String side, String anchor) {
    List<Cell> s = cells(row, side);
    List<Cell> a = cells(row, anchor);
    int n = Math.min(s.size(), a.size());
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = s.get(i).nsPerOp() / a.get(i).nsPerOp();
    }
    return r;
  }

  static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }
}
