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
  static final String DESIRED = "bulwark_autoscaler_desired_instances";
  static final String ACTUAL = "bulwark_autoscaler_actual_instances";
  static final String BUDGET = "bulwark_slo_error_budget_remaining";
  static final String BURN = "bulwark_slo_burn_rate";
  private static final List<String> METRICS =
      List.of(
          REQUESTS,
          ERRORS,
          RATE_LIMITED,
          UNAVAILABLE,
          DURATION_SUM,
          UP,
          DESIRED,
          ACTUAL,
          BUDGET,
          BURN);
  private static final java.util.Set<String> GAUGES =
      java.util.Set.of(UP, DESIRED, ACTUAL, BUDGET, BURN);
  private static final List<Duration> BOUNDS = TelemetryConfig.DEFAULT_BUCKETS;
  private final TimeSeriesStore store;

  /** The most steps a series keeps when SLOs ask for a longer retention than 600 steps. */
  static final long MAX_STEPS = 86_400;

  SystemMetrics(Clock clock, Duration step, List<io.bulwark.telemetry.slo.Slo> slos) {
    Duration retention = step.multipliedBy(600);
    for (io.bulwark.telemetry.slo.Slo slo : slos) {
      List<Duration> windows = new java.util.ArrayList<>(List.of(slo.window()));
      slo.alerts().forEach(a -> windows.add(a.longWindow()));
      for (Duration w : windows) {
        long steps = (w.toNanos() + step.toNanos() - 1) / step.toNanos();
        if (steps > MAX_STEPS) {
          throw new IllegalArgumentException(
              "SLO \""
                  + slo.name()
                  + "\": window "
                  + w
                  + " needs "
                  + steps
                  + " metrics steps of "
                  + step
                  + ", more than the "
                  + MAX_STEPS
                  + " the system store keeps per series: raise RuntimeOptions.metricsStep or"
                  + " shorten the window");
        }
        if (step.multipliedBy(steps).compareTo(retention) > 0) {
          retention = step.multipliedBy(steps);
        }
      }
    }
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

  /**
   * An autoscaled service's instance counts at this step: {@code desired} as its autoscaler last
   * decided (the current count before its first decision), {@code actual} as it runs now.
   */
  void recordScaling(String service, String policy, int desired, int actual) {
    store.record(SeriesKey.of(DESIRED, "service", service, "policy", policy), desired);
    store.record(SeriesKey.of(ACTUAL, "service", service, "policy", policy), actual);
  }

  /**
   * Judges every SLO on the store at this step (after the instances' counters are in): its error
   * budget remaining over its window, and its burn rate over each window its alerts use. A value
   * that cannot be computed yet (no events in the window) is not written.
   */
  void recordSlos(List<io.bulwark.telemetry.slo.Slo> slos) {
    for (io.bulwark.telemetry.slo.Slo slo : slos) {
      recordFinite(SeriesKey.of(BUDGET, "slo", slo.name()), slo.errorBudgetRemaining(store));
      java.util.Set<Duration> windows = new java.util.TreeSet<>();
      for (io.bulwark.telemetry.slo.BurnRateAlert a : slo.alerts()) {
        windows.add(a.longWindow());
        windows.add(a.shortWindow());
      }
      for (Duration w : windows) {
        recordFinite(
            SeriesKey.of(BURN, "slo", slo.name(), "window", window(w)), slo.burnRate(store, w));
      }
    }
  }

  /** {@code 1h}, {@code 5m}, {@code 30s} or {@code 250ms}: the largest whole unit. */
  static String window(Duration w) {
    long ms = w.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  private void recordFinite(SeriesKey key, double v) {
    if (Double.isFinite(v)) {
      store.record(key, v);
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
      String type = GAUGES.contains(metric) ? "gauge" : "counter";
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
