package io.bulwark.telemetry.store;

import java.util.Map;
import java.util.TreeMap;

/**
 * A series: a metric name and its labels (kept sorted, so label order never makes two series).
 *
 * @param metric a Prometheus-style metric name
 * @param labels label names to values
 */
public record SeriesKey(String metric, Map<String, String> labels) {
  public SeriesKey {
    if (!metric.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
      throw new IllegalArgumentException("metric name \"" + metric + "\" is not a valid name");
    }
    labels = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(labels));
  }

  public static SeriesKey of(String metric, String... labelPairs) {
    if (labelPairs.length % 2 != 0) {
      throw new IllegalArgumentException("labels must come in name/value pairs");
    }
    Map<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    return new SeriesKey(metric, labels);
  }

  /** True if every label in {@code selector} has the same value here. */
  public boolean matches(Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return metric + labels;
  }
}
