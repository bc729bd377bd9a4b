package io.bulwark.runtime.internal;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.time.Clock;
import io.bulwark.runtime.InstanceState;
import io.bulwark.telemetry.MetricNames;
import io.bulwark.telemetry.RedSnapshot;
import io.bulwark.telemetry.TelemetryConfig;
import io.bulwark.telemetry.store.SeriesKey;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The system's time-series store and its Prometheus text: every store step, each instance's
 * cumulative counters are written under its service, instance, version and zone — answers, 5xx, 429
 * and 503 apart, summed latency, up — and so are the RED series of every route and dependency of
 * its running incarnation ({@code bulwark_endpoint_requests_total}, {@code
 * bulwark_endpoint_duration_seconds_bucket}, ... as each instance's own {@code /metrics} names
 * them, plus {@code service} and {@code instance} labels). In process those come from the
 * instance's telemetry, in process mode from the child's scrape: an {@link
 * io.bulwark.telemetry.slo.SloEvaluator} on {@link #store()} judges SLOs the same way in both
 * modes. Thread-safe (the store is).
 */
final class SystemMetrics {
  static final String REQUESTS = "bulwark_instance_requests_total";
  static final String ERRORS = "bulwark_instance_errors_total";
  static final String DURATION_SUM = "bulwark_instance_duration_seconds_sum";
  static final String RATE_LIMITED = "bulwark_instance_rate_limited_total";
  static final String UNAVAILABLE = "bulwark_instance_unavailable_total";
  static final String UP = "bulwark_instance_up";
  private static final List<String> METRICS =
      List.of(REQUESTS, ERRORS, RATE_LIMITED, UNAVAILABLE, DURATION_SUM, UP);
  private static final List<Duration> BOUNDS = TelemetryConfig.DEFAULT_BUCKETS;
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
      store.record(SeriesKey.of(RATE_LIMITED, labels), (double) i.meter().rateLimited());
      store.record(SeriesKey.of(UNAVAILABLE, labels), (double) i.meter().unavailable());
      store.record(SeriesKey.of(DURATION_SUM, labels), c.durationNanos() / 1e9);
      store.record(SeriesKey.of(UP, labels), i.state() == InstanceState.READY ? 1 : 0);
      for (String kind : List.of("endpoint", "dependency")) {
        for (RedSnapshot r : i.redSnapshots(kind)) {
          recordRed(kind, r, i.service(), i.id());
        }
      }
    }
  }

  /** One route's or dependency's RED series of one instance, named as its {@code /metrics}. */
  private void recordRed(String kind, RedSnapshot r, String service, String instance) {
    String requests = MetricNames.requests(kind);
    for (Outcome o : Outcome.values()) {
      store.record(
          SeriesKey.of(
              requests,
              kind,
              r.name(),
              "outcome",
              o.label(),
              "service",
              service,
              "instance",
              instance),
          (double) r.count(o));
    }
    String duration = MetricNames.duration(kind);
    long cumulative = 0;
    long[] buckets = r.bucketCounts();
    for (int b = 0; b < buckets.length; b++) {
      cumulative += buckets[b];
      String le = b < BOUNDS.size() ? MetricNames.le(BOUNDS.get(b)) : "+Inf";
      store.record(
          SeriesKey.of(
              duration + "_bucket",
              kind,
              r.name(),
              "le",
              le,
              "service",
              service,
              "instance",
              instance),
          (double) cumulative);
    }
    store.record(
        SeriesKey.of(duration + "_count", kind, r.name(), "service", service, "instance", instance),
        (double) cumulative);
    store.record(
        SeriesKey.of(duration + "_sum", kind, r.name(), "service", service, "instance", instance),
        r.sumNanos() / 1e9);
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
