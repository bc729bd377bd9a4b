package io.bulwark.chaos.experiment;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A steady-state check on the embedded metric store, over the whole run: {@code query} of {@code
 * metric}{@code {labels}} compared with {@code threshold}. Examples: {@code p99 < 200 ms} is {@code
 * HISTOGRAM_QUANTILE} of {@code bulwark_endpoint_duration_seconds}{@code {endpoint="checkout"}}
 * with quantile 0.99, {@code BELOW} 0.2; "no failed orders" is {@code INCREASE} of {@code
 * bulwark_endpoint_requests_total}{@code {endpoint="orders", outcome="error"}} {@code AT_MOST} 0.
 *
 * @param name the check's name
 * @param query how the series are reduced to one number
 * @param metric the metric (for {@code HISTOGRAM_QUANTILE}, the histogram without {@code _bucket})
 * @param labels the label selector
 * @param quantile the quantile for {@code HISTOGRAM_QUANTILE}, in [0, 1]; ignored otherwise
 * @param comparison how the measured value must relate to {@code threshold}
 * @param threshold the bound (seconds for durations)
 */
public record MetricCheck(
    String name,
    Query query,
    String metric,
    Map<String, String> labels,
    double quantile,
    Comparison comparison,
    double threshold) {

  public MetricCheck {
    StepFault.checkName("check name", name);
    if (!metric.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
      throw new IllegalArgumentException(
          "check " + name + ": metric must be a Prometheus metric name, was \"" + metric + "\"");
    }
    if (!(quantile >= 0 && quantile <= 1)) {
      throw new IllegalArgumentException(
          "check " + name + ": quantile must be in [0, 1], was " + quantile);
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException(
          "check " + name + ": threshold must be finite, was " + threshold);
    }
    labels = Map.copyOf(new TreeMap<>(labels));
  }

  /** How the matching series are reduced over the run. */
  public enum Query {
    /** Sum of counter increases. */
    INCREASE,
    /** {@code histogram_quantile} over bucket increases (NaN without data: the check fails). */
    HISTOGRAM_QUANTILE
  }

  /** The relation the measured value must have to the threshold. */
  public enum Comparison {
    BELOW("<"),
    AT_MOST("<="),
    ABOVE(">"),
    AT_LEAST(">=");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    /** True if {@code value} relates to {@code threshold} this way (false for NaN). */
    public boolean holds(double value, double threshold) {
      return switch (this) {
        case BELOW -> value < threshold;
        case AT_MOST -> value <= threshold;
        case ABOVE -> value > threshold;
        case AT_LEAST -> value >= threshold;
      };
    }

    String key() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** A readable form: {@code p99 of metric{labels} < 0.2}. */
  public String describe() {
    String what =
        query == Query.HISTOGRAM_QUANTILE
            ? "histogram_quantile(" + quantile + ", " + metric + labels + ")"
            : "increase(" + metric + labels + ")";
    return what + " " + comparison.symbol() + " " + threshold;
  }
}
