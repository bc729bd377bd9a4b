package io.bulwark.runtime.internal;

import java.util.HashMap;
import java.util.Map;

/** Reads the RED totals out of a child's Prometheus text. */
final class PromText {
  private static final String REQUESTS = "bulwark_endpoint_requests_total{";
  private static final String SECONDS = "bulwark_endpoint_duration_seconds_sum{";

  private PromText() {}

  /** {@code requests}, {@code bad} (outcome not success) and {@code seconds} summed over routes. */
  static Map<String, Double> totals(String text) {
    double requests = 0;
    double bad = 0;
    double seconds = 0;
    for (String line : text.lines().toList()) {
      if (line.startsWith(REQUESTS)) {
        double v = value(line);
        requests += v;
        if (!line.contains("outcome=\"success\"")) {
          bad += v;
        }
      } else if (line.startsWith(SECONDS)) {
        seconds += value(line);
      }
    }
    Map<String, Double> out = new HashMap<>();
    out.put("requests", requests);
    out.put("bad", bad);
    out.put("seconds", seconds);
    return out;
  }

  private static double value(String line) {
    int close = line.lastIndexOf('}');
    String rest = line.substring(close + 1).strip();
    int space = rest.indexOf(' ');
    try {
      return Double.parseDouble(space < 0 ? rest : rest.substring(0, space));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
