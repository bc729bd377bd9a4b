package io.bulwark.telemetry.slo;

import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import java.util.ArrayList;
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
    return read(name, r, true, null).build();
  }

  /**
   * As {@link #bind(String, ConfigReader)} for SLOs judged on a store that keeps at most {@code
   * longestWindow}: a longer {@code window} or alert {@code long-window} is refused at its key, and
   * so are default alerts whose long window is longer (the file must then list its alerts).
   */
  public static Slo bind(String name, ConfigReader r, Duration longestWindow) {
    return read(name, r, true, longestWindow).build();
  }

  /**
   * Binds the indicator keys ({@code availability}/{@code latency}, {@code target}, {@code
   * threshold}, {@code cohort}), {@code objective} and {@code min-events}, for files whose SLOs are
   * judged over their own run rather than a window (chaos experiments).
   */
  public static Slo.Builder indicator(String name, ConfigReader r) {
    return read(name, r, false, null);
  }

  /**
   * Reads every key first (so that one bad value does not hide the others as unknown keys), then
   * checks the combination.
   */
  private static Slo.Builder read(
      String name, ConfigReader r, boolean windowed, @Nullable Duration longest) {
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
    String defaultAlertTooLong = null;
    if (windowed) {
      r.duration("window", w -> slo.window(fits("window", w, longest)));
      if (r.has("alerts")) {
        List<BurnRateAlert> alerts = new ArrayList<>();
        r.namedSections(
            "alerts",
            (n, a) -> {
              BurnRateAlert alert = alert(a, longest);
              if (alert != null) {
                alerts.add(alert);
              }
              return n;
            });
        slo.alerts(alerts);
      } else {
        defaultAlertTooLong = defaultAlertTooLong(longest);
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
    slo.sli(c == null ? sli : sli.inCohort(c));
    if (defaultAlertTooLong != null) {
      throw new IllegalArgumentException(defaultAlertTooLong);
    }
    return slo;
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

  private static Duration fits(String key, Duration window, @Nullable Duration longest) {
    if (longest != null && window.compareTo(longest) > 0) {
      throw new IllegalArgumentException(tooLong(key, window, longest));
    }
    return window;
  }

  private static String tooLong(String key, Duration window, Duration longest) {
    return key + " " + window + " is longer than " + longest + ", the most the SLO's store keeps";
  }

  private static @Nullable String defaultAlertTooLong(@Nullable Duration longest) {
    if (longest == null) {
      return null;
    }
    for (BurnRateAlert a : BurnRateAlert.sreWorkbookDefaults()) {
      if (a.longWindow().compareTo(longest) > 0) {
        return "default alert "
            + a.id()
            + ": "
            + tooLong("long-window", a.longWindow(), longest)
            + "; list the SLO's alerts";
      }
    }
    return null;
  }

  /** The alert, or null when a key is missing or refused (already reported at the key). */
  private static @Nullable BurnRateAlert alert(ConfigReader a, @Nullable Duration longest) {
    a.require("severity").require("burn-rate").require("long-window").require("short-window");
    BurnRateAlert.@Nullable Severity[] severity = {null};
    double[] rate = {Double.NaN};
    @Nullable Duration[] longWindow = {null};
    @Nullable Duration[] shortWindow = {null};
    a.enumValue("severity", BurnRateAlert.Severity.class, s -> severity[0] = s)
        .decimal("burn-rate", d -> rate[0] = d)
        .duration("long-window", d -> longWindow[0] = fits("long-window", d, longest))
        .duration("short-window", d -> shortWindow[0] = d);
    BurnRateAlert.Severity level = severity[0];
    Duration longer = longWindow[0];
    Duration shorter = shortWindow[0];
    if (level == null || Double.isNaN(rate[0]) || longer == null || shorter == null) {
      return null;
    }
    return new BurnRateAlert(level, rate[0], longer, shorter);
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
