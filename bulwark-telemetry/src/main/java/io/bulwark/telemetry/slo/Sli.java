package io.bulwark.telemetry.slo;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.telemetry.MetricNames;
import io.bulwark.telemetry.store.TimeSeriesStore;
import java.time.Duration;
import java.util.Map;

/**
 * A service level indicator over Bulwark's RED metrics: how to count good and total events in the
 * embedded store and the same thing as PromQL. Two kinds: {@link Availability} (good = outcome
 * {@code success}; errors, timeouts and rejections are bad) and {@link Latency} (good = finished
 * within a threshold that must be a histogram bucket bound).
 */
public sealed interface Sli permits Sli.Availability, Sli.Latency, Sli.Cohort {

  /** {@code endpoint} or {@code dependency}. */
  String kind();

  /** The endpoint or dependency name. */
  String target();

  /** Good and total events over {@code window}, read from {@code store}. */
  EventCounts counts(TimeSeriesStore store, Duration window);

  /** PromQL for the ratio of bad events over a window such as {@code 5m}. */
  String errorRatioPromQl(String window);

  /** PromQL for the number of valid events over a window such as {@code 1h}. */
  String totalPromQl(String window);

  static Availability endpointAvailability(String endpoint) {
    return new Availability("endpoint", endpoint);
  }

  static Availability dependencyAvailability(String dependency) {
    return new Availability("dependency", dependency);
  }

  static Latency endpointLatency(String endpoint, Duration threshold) {
    return new Latency("endpoint", endpoint, threshold);
  }

  /**
   * This SLI measured on the requests of chaos cohort {@code cohort} only ({@code
   * chaos_cohort="<cohort>"} on the {@code bulwark_chaos_*} series, kept while chaos is active):
   * the experiment's cohort, or {@code control} for the requests outside every cohort. A cohort's
   * errors never count against the control's SLI and vice versa.
   *
   * @throws IllegalArgumentException if this SLI is already a cohort's, or {@code cohort} is empty
   *     or holds quotes or backslashes
   */
  default Cohort inCohort(String cohort) {
    return new Cohort(this, cohort);
  }

  /** Availability: good = requests with outcome {@code success}. */
  record Availability(String kind, String target) implements Sli {
    public Availability {
      MetricNames.checkKind(kind);
      checkTarget(target);
    }

    @Override
    public EventCounts counts(TimeSeriesStore store, Duration window) {
      String metric = MetricNames.requests(kind);
      double total = store.sumIncrease(metric, Map.of(kind, target), window);
      double good =
          store.sumIncrease(
              metric, Map.of(kind, target, "outcome", Outcome.SUCCESS.label()), window);
      return new EventCounts(good, total);
    }

    @Override
    public String errorRatioPromQl(String w) {
      String m = MetricNames.requests(kind);
      return "sum(rate(%s{%s=\"%s\",outcome!=\"success\"}[%s])) / sum(rate(%s{%s=\"%s\"}[%s]))"
          .formatted(m, kind, target, w, m, kind, target, w);
    }

    @Override
    public String totalPromQl(String w) {
      return "sum(increase(%s{%s=\"%s\"}[%s]))"
          .formatted(MetricNames.requests(kind), kind, target, w);
    }
  }

  /** Latency: good = requests that finished within {@code threshold} (a bucket bound). */
  record Latency(String kind, String target, Duration threshold) implements Sli {
    public Latency {
      MetricNames.checkKind(kind);
      checkTarget(target);
      if (threshold.isNegative() || threshold.isZero()) {
        throw new IllegalArgumentException("latency threshold must be positive, was " + threshold);
      }
    }

    @Override
    public EventCounts counts(TimeSeriesStore store, Duration window) {
      String m = MetricNames.duration(kind);
      double total = store.sumIncrease(m + "_count", Map.of(kind, target), window);
      double good =
          store.sumIncrease(
              m + "_bucket", Map.of(kind, target, "le", MetricNames.le(threshold)), window);
      return new EventCounts(good, total);
    }

    @Override
    public String errorRatioPromQl(String w) {
      String m = MetricNames.duration(kind);
      return ("1 - (sum(rate(%s_bucket{%s=\"%s\",le=\"%s\"}[%s]))"
              + " / sum(rate(%s_count{%s=\"%s\"}[%s])))")
          .formatted(m, kind, target, MetricNames.le(threshold), w, m, kind, target, w);
    }

    @Override
    public String totalPromQl(String w) {
      return "sum(increase(%s_count{%s=\"%s\"}[%s]))"
          .formatted(MetricNames.duration(kind), kind, target, w);
    }
  }

  /**
   * An SLI on one chaos cohort's series: {@code of}'s counts, read from the {@code bulwark_chaos_*}
   * metrics with the {@code chaos_cohort} label.
   *
   * @param of the SLI measured
   * @param cohort the cohort label ({@code control}, an experiment name, {@code faulted}, {@code
   *     other})
   */
  record Cohort(Sli of, String cohort) implements Sli {
    public Cohort {
      if (of instanceof Cohort) {
        throw new IllegalArgumentException("SLI " + of + " is already a cohort's");
      }
      checkTarget(cohort);
    }

    @Override
    public String kind() {
      return of.kind();
    }

    @Override
    public String target() {
      return of.target();
    }

    private String label() {
      return io.bulwark.core.fault.ChaosCohort.LABEL;
    }

    private static String chaos(String metric) {
      return "bulwark_chaos_" + metric.substring("bulwark_".length());
    }

    @Override
    public EventCounts counts(TimeSeriesStore store, Duration window) {
      String kind = of.kind();
      String target = of.target();
      return switch (of) {
        case Availability a -> {
          String metric = chaos(MetricNames.requests(kind));
          double total = store.sumIncrease(metric, Map.of(kind, target, label(), cohort), window);
          double good =
              store.sumIncrease(
                  metric,
                  Map.of(kind, target, label(), cohort, "outcome", Outcome.SUCCESS.label()),
                  window);
          yield new EventCounts(good, total);
        }
        case Latency l -> {
          String m = chaos(MetricNames.duration(kind));
          double total =
              store.sumIncrease(m + "_count", Map.of(kind, target, label(), cohort), window);
          double good =
              store.sumIncrease(
                  m + "_bucket",
                  Map.of(kind, target, label(), cohort, "le", MetricNames.le(l.threshold())),
                  window);
          yield new EventCounts(good, total);
        }
        case Cohort c -> throw new IllegalStateException("nested cohort SLI");
      };
    }

    @Override
    public String errorRatioPromQl(String w) {
      return inCohortQl(of.errorRatioPromQl(w));
    }

    @Override
    public String totalPromQl(String w) {
      return inCohortQl(of.totalPromQl(w));
    }

    /** The base query on the chaos series, each selector narrowed to the cohort. */
    private String inCohortQl(String q) {
      String kind = of.kind();
      return q.replace("bulwark_" + kind + "_", "bulwark_chaos_" + kind + "_")
          .replace("{" + kind + "=\"", "{" + label() + "=\"" + cohort + "\"," + kind + "=\"");
    }
  }

  private static void checkTarget(String target) {
    if (target.isEmpty() || target.contains("\"") || target.contains("\\")) {
      throw new IllegalArgumentException(
          "SLI target must be a non-empty name without quotes or backslashes, was \""
              + target
              + "\"");
    }
  }
}
