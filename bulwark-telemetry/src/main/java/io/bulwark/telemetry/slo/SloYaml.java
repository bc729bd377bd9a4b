package io.bulwark.telemetry.slo;

import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Binds an {@link Slo} from one YAML section, the one binder every file that declares SLOs uses (a
 * chaos experiment's {@code steady-state.slos}, a system file's {@code slos}). The section's name
 * is the SLO's name:
 *
 * <pre>{@code
 * checkout:
 *   availability: endpoint          # or dependency; or latency: endpoint with a threshold
 *   target: GET /checkout           # the endpoint or dependency label
 *   threshold: 250ms                # latency SLOs only: a histogram bucket bound
 *   objective: 0.99                 # strictly between 0 and 1 (default 0.999)
 *   min-events: 100                 # alerts need this many events in their long window
 *   cohort: exp-1                   # measure one chaos cohort's series only
 *   window: 1h                      # bind() only; at least 1h (default 30d)
 *   alerts:                         # bind() only; default: the SRE workbook's three
 *     fast: {severity: page, burn-rate: 14.4, long-window: 1h, short-window: 5m}
 * }</pre>
 *
 * Problems are recorded on the reader (file, line, field, message), as every binder does.
 */
public final class SloYaml {
  private SloYaml() {}

  /**
   * Binds every key above into an {@link Slo}: the indicator keys, {@code window} and {@code
   * alerts} (named sections; when absent, {@link BurnRateAlert#sreWorkbookDefaults()}).
   */
  public static Slo bind(String name, ConfigReader r) {
    return read(name, r, true).build();
  }

  /**
   * Binds the indicator keys ({@code availability}/{@code latency}, {@code target}, {@code
   * threshold}, {@code cohort}), {@code objective} and {@code min-events}, for files whose SLOs are
   * judged over their own run rather than a window (chaos experiments).
   */
  public static Slo.Builder indicator(String name, ConfigReader r) {
    return read(name, r, false);
  }

  /**
   * Reads every key first (so that one bad value does not hide the others as unknown keys), then
   * checks the combination.
   */
  private static Slo.Builder read(String name, ConfigReader r, boolean windowed) {
    IllegalArgumentException badName = null;
    Slo.Builder named;
    try {
      named = Slo.builder(name);
    } catch (IllegalArgumentException e) {
      badName = e;
      named = Slo.builder("unnamed"); // binds the rest so that its problems show too
    }
    Slo.Builder slo = named;
    String[] kind = {""};
    String[] target = {""};
    @Nullable Duration[] threshold = {null};
    @Nullable String[] cohort = {null};
    boolean latency = r.has("latency");
    boolean oneKind = latency != r.has("availability");
    r.require("target");
    r.string(latency ? "latency" : "availability", k -> kind[0] = k)
        .string("target", t -> target[0] = t)
        .duration("threshold", t -> threshold[0] = t)
        .decimal("objective", slo::objective)
        .longValue("min-events", slo::minimumEvents)
        .string("cohort", c -> cohort[0] = cohort(c));
    if (windowed) {
      r.duration("window", slo::window);
      if (r.has("alerts")) {
        slo.alerts(List.copyOf(r.namedSections("alerts", (n, a) -> alert(a)).values()));
      }
    }
    if (badName != null) {
      throw badName;
    }
    if (!oneKind) {
      throw new IllegalArgumentException(
          "give exactly one of availability: endpoint|dependency and latency: endpoint");
    }
    Sli sli =
        latency
            ? latency(kind[0], target[0], threshold[0])
            : availability(kind[0], target[0], threshold[0]);
    String c = cohort[0];
    return slo.sli(c == null ? sli : sli.inCohort(c));
  }

  private static Sli latency(String kind, String target, @Nullable Duration threshold) {
    if (threshold == null) {
      throw new IllegalArgumentException("a latency SLO needs a threshold (a bucket bound)");
    }
    if (!kind.equals("endpoint")) {
      throw new IllegalArgumentException("latency SLOs are on endpoints, was \"" + kind + "\"");
    }
    return Sli.endpointLatency(target, threshold);
  }

  private static Sli availability(String kind, String target, @Nullable Duration threshold) {
    if (threshold != null) {
      throw new IllegalArgumentException(
          "threshold " + threshold + " is for latency SLOs; this one is on availability");
    }
    return switch (kind) {
      case "endpoint" -> Sli.endpointAvailability(target);
      case "dependency" -> Sli.dependencyAvailability(target);
      default ->
          throw new IllegalArgumentException(
              "availability must be endpoint or dependency, was \"" + kind + "\"");
    };
  }

  private static BurnRateAlert alert(ConfigReader a) {
    a.require("severity").require("burn-rate").require("long-window").require("short-window");
    BurnRateAlert.Severity[] severity = {BurnRateAlert.Severity.PAGE};
    double[] rate = {1};
    Duration[] longWindow = {Duration.ofHours(1)};
    Duration[] shortWindow = {Duration.ofMinutes(5)};
    a.enumValue("severity", BurnRateAlert.Severity.class, s -> severity[0] = s)
        .decimal("burn-rate", d -> rate[0] = d)
        .duration("long-window", d -> longWindow[0] = d)
        .duration("short-window", d -> shortWindow[0] = d);
    return new BurnRateAlert(severity[0], rate[0], longWindow[0], shortWindow[0]);
  }

  private static String cohort(String value) {
    if (!value.matches("[A-Za-z0-9_.:/*-]{1,128}")) {
      throw new IllegalArgumentException(
          "slo cohort must be 1 to 128 letters, digits or _ . : / * -, was \""
              + value.replace("\"", "\\\"")
              + "\"");
    }
    return value;
  }
}
