package io.bulwark.chaos.experiment;

import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One fault as an experiment asks for it: what ({@code type}, e.g. {@code latency}, {@code error},
 * {@code blackhole}), where ({@code point}, an injection point such as {@code http.client}, and a
 * {@code target} selecting a service, instance, route or dependency), how much of the traffic
 * ({@code percent} of requests, optionally only those of a chaos {@code cohort}) and the type's own
 * parameters ({@code params}, e.g. {@code status: 503} or {@code delay: 300ms}). A {@link
 * FaultControl} turns it into an active fault; the chaos engine validates the type's parameters.
 *
 * @param type the fault type
 * @param point the injection point
 * @param target selectors (service, instance, route, dependency), may be empty
 * @param percent share of matching requests that see the fault, in (0, 100]
 * @param cohort the W3C baggage cohort ({@code chaos.experiment}) the fault is limited to, or null
 * @param params the fault type's parameters, as text
 */
public record FaultSpec(
    String type,
    String point,
    Map<String, String> target,
    double percent,
    @Nullable String cohort,
    Map<String, String> params) {

  public FaultSpec {
    checkName("fault type", type);
    checkName("fault point", point);
    checkPercent(percent);
    if (cohort != null) {
      checkName("fault cohort", cohort);
    }
    target = Map.copyOf(new TreeMap<>(target));
    params = Map.copyOf(new TreeMap<>(params));
  }

  /** A fault of {@code type} at {@code point} on every request (100 %), no target or params. */
  public static FaultSpec of(String type, String point) {
    return new FaultSpec(type, point, Map.of(), 100, null, Map.of());
  }

  /** This fault on {@code percent} % of the requests. */
  public FaultSpec withPercent(double percent) {
    return new FaultSpec(type, point, target, percent, cohort, params);
  }

  /** This fault with one more target selector ({@code service}, {@code route}...). */
  public FaultSpec withTarget(String key, String value) {
    Map<String, String> t = new TreeMap<>(target);
    t.put(key, value);
    return new FaultSpec(type, point, t, percent, cohort, params);
  }

  /** This fault with one more parameter. */
  public FaultSpec withParam(String key, String value) {
    Map<String, String> p = new TreeMap<>(params);
    p.put(key, value);
    return new FaultSpec(type, point, target, percent, cohort, p);
  }

  /** This fault limited to the requests of {@code cohort}. */
  public FaultSpec inCohort(String cohort) {
    return new FaultSpec(type, point, target, percent, cohort, params);
  }

  static double checkPercent(double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("fault percent must be in (0, 100], was " + percent);
    }
    return percent;
  }

  static void checkName(String what, String value) {
    if (!value.matches("[A-Za-z0-9_.:/-]{1,128}")) {
      throw new IllegalArgumentException(
          what
              + " must be 1 to 128 letters, digits or _ . : / -, was \""
              + value.replace("\"", "\\\"")
              + "\"");
    }
  }
}
