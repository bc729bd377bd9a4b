package io.bulwark.bench;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The machine-readable outcome of a {@link BenchSuite}: named metrics and the headline ratio {@code
 * bulwark / anchor}.
 */
public record BenchResult(String name, Map<String, Double> metrics, double ratio) {

  /** {@code RESULT <name> <metric>=<value> ... ratio=<bulwark/anchor>}. */
  public String line() {
    String values =
        metrics.entrySet().stream()
            .map(e -> e.getKey() + "=" + format(e.getValue()))
            .collect(Collectors.joining(" "));
    return "RESULT " + name + (values.isEmpty() ? "" : " " + values) + " ratio=" + format(ratio);
  }

  static String format(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
