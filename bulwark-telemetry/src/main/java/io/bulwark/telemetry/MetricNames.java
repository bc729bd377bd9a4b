package io.bulwark.telemetry;

import java.time.Duration;

/**
 * The Prometheus names of Bulwark's metrics, shared by the exporter, the embedded store and the
 * generated rules so that the same query means the same thing everywhere.
 */
public final class MetricNames {
  private MetricNames() {}

  /** {@code bulwark_<kind>_requests_total}, labels {@code <kind>} and {@code outcome}. */
  public static String requests(String kind) {
    return "bulwark_" + checkKind(kind) + "_requests_total";
  }

  /** {@code bulwark_<kind>_duration_seconds} (a histogram: _bucket, _count, _sum). */
  public static String duration(String kind) {
    return "bulwark_" + checkKind(kind) + "_duration_seconds";
  }

  /** The {@code le} label value of a bucket bound, as the Prometheus exporter writes it. */
  public static String le(Duration bound) {
    return Double.toString(bound.toNanos() / 1e9);
  }

  /** {@code endpoint} or {@code dependency}, else an exception naming the value. */
  public static String checkKind(String kind) {
    if (!kind.equals("endpoint") && !kind.equals("dependency")) {
      throw new IllegalArgumentException(
          "kind must be \"endpoint\" or \"dependency\", was \"" + kind + "\"");
    }
    return kind;
  }
}
