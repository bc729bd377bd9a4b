package io.bulwark.runtime.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.runtime.InstanceState;
import io.bulwark.telemetry.store.SeriesKey;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The system's time-series store and its Prometheus text: every store step, each instance's
 * cumulative counters are written under its service, instance, version and zone. Thread-safe (the
 * store is).
 */
final class SystemMetrics {
  static final String REQUESTS = "bulwark_instance_requests_total";
  static final String ERRORS = "bulwark_instance_errors_total";
  static final String DURATION_SUM = "bulwark_instance_duration_seconds_sum";
  static final String UP = "bulwark_instance_up";
  private static final List<String> METRICS = List.of(REQUESTS, ERRORS, DURATION_SUM, UP);
  private final TimeSeriesStore store;

  SystemMetrics(Clock clock, Duration step) {
    Duration retention = step.multipliedBy(600);
    this.store =
        TimeSeriesStore.builder()
            .clock(clock)
            .resolution(step)
            .retention(retention)
            .maxSeries(100_000)
            .build();
  }

  TimeSeriesStore store() {
    return store;
  }

  /** Writes every instance's counters at the store's current step. */
  void record(List<Instance> instances) {
    for (Instance i : instances) {
      InstanceMeter.Counts c = i.meter().counts();
      String[] labels = {
        "service", i.service(), "instance", i.id(), "version", i.version(), "zone", i.zone()
      };
      store.record(SeriesKey.of(REQUESTS, labels), (double) c.requests());
      store.record(SeriesKey.of(ERRORS, labels), (double) c.bad());
      store.record(SeriesKey.of(DURATION_SUM, labels), c.durationNanos() / 1e9);
      store.record(SeriesKey.of(UP, labels), i.state() == InstanceState.READY ? 1 : 0);
    }
  }

  /** The latest value of every series, in Prometheus text format 0.0.4. */
  String prometheus() {
    StringBuilder out = new StringBuilder(4096);
    for (String metric : METRICS) {
      List<SeriesKey> keys = store.seriesOf(metric, Map.of());
      if (keys.isEmpty()) {
        continue;
      }
      String type = metric.equals(UP) ? "gauge" : "counter";
      out.append("# TYPE ").append(metric).append(' ').append(type).append('\n');
      TreeMap<String, Double> lines = new TreeMap<>();
      for (SeriesKey k : keys) {
        double v = store.latest(k);
        if (Double.isNaN(v)) {
          continue;
        }
        StringBuilder line = new StringBuilder(metric).append('{');
        boolean first = true;
        for (Map.Entry<String, String> l : k.labels().entrySet()) {
          if (!first) {
            line.append(',');
          }
          first = false;
          line.append(l.getKey()).append("=\"").append(escape(l.getValue())).append('"');
        }
        lines.put(line.append('}').toString(), v);
      }
      lines.forEach((line, v) -> out.append(line).append(' ').append(format(v)).append('\n'));
    }
    return out.toString();
  }

  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6f", v);
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
