package io.bulwark.chaos.experiment;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The fault of one experiment step, in the shape of the chaos admin endpoint's JSON ({@code POST
 * /chaos/faults}, see {@code ChaosRoutes}): a fault {@code type} with its parameters ({@code
 * http-error} with {@code status: 503}, {@code latency} with {@code delay: 200ms}...) and a blast
 * radius: the injection {@code points} ({@code http-server}, {@code http-client}, {@code
 * event-consume}...; all the type's points when empty), a {@code target} ({@code service}, {@code
 * instance}, {@code route}), a {@code percent} of the matching calls and an optional {@code
 * cohort}. The chaos engine validates the type and its parameters; {@link #toJson} is what both the
 * in-process and the HTTP {@link FaultControl} hand it.
 *
 * @param type the fault type
 * @param params the type's parameters, as text (numbers are sent as JSON numbers)
 * @param points the injection point kinds, empty for all of the type's points
 * @param target selectors: {@code service}, {@code instance}, {@code route}, and {@code decision}
 * @param percent share of the matching calls that see the fault, in (0, 100]
 * @param cohort the W3C baggage cohort ({@code chaos.experiment}) the fault is limited to, or null
 */
public record StepFault(
    String type,
    Map<String, String> params,
    List<String> points,
    Map<String, String> target,
    double percent,
    @Nullable String cohort) {

  /**
   * The target keys of a blast radius, and {@code decision} ({@code per-attempt}, the default, or
   * {@code per-request}: how the percentage treats retries).
   */
  public static final Set<String> TARGET_KEYS = Set.of("service", "instance", "route", "decision");

  public StepFault {
    checkName("fault type", type);
    for (String p : points) {
      checkName("fault point", p);
    }
    for (String key : target.keySet()) {
      if (!TARGET_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "fault target key must be service, instance, route or decision, was \"" + key + "\"");
      }
    }
    for (String key : params.keySet()) {
      if (key.equals("type")) {
        throw new IllegalArgumentException("fault parameter \"type\" is the fault's type");
      }
    }
    checkPercent(percent);
    if (cohort != null) {
      checkName("fault cohort", cohort);
    }
    params = Map.copyOf(new TreeMap<>(params));
    points = List.copyOf(points);
    target = Map.copyOf(new TreeMap<>(target));
  }

  /** A fault of {@code type} at injection point {@code point}, on every matching call. */
  public static StepFault of(String type, String point) {
    return new StepFault(type, Map.of(), List.of(point), Map.of(), 100, null);
  }

  /** This fault on {@code percent} % of the matching calls. */
  public StepFault withPercent(double percent) {
    return new StepFault(type, params, points, target, percent, cohort);
  }

  /**
   * This fault with one more target selector ({@code service}, {@code instance}, {@code route}).
   */
  public StepFault withTarget(String key, String value) {
    Map<String, String> t = new TreeMap<>(target);
    t.put(key, value);
    return new StepFault(type, params, points, t, percent, cohort);
  }

  /** This fault with one more parameter of its type. */
  public StepFault withParam(String key, String value) {
    Map<String, String> p = new TreeMap<>(params);
    p.put(key, value);
    return new StepFault(type, p, points, target, percent, cohort);
  }

  /** This fault limited to the calls of {@code cohort}. */
  public StepFault inCohort(String cohort) {
    return new StepFault(type, params, points, target, percent, cohort);
  }

  /** The admin endpoint's JSON for this fault, active for {@code ttl}. */
  public ObjectNode toJson(Duration ttl, String experiment, long seed) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode fault = f.objectNode().put("type", type);
    params.forEach((k, v) -> fault.set(k, scalar(v)));
    ObjectNode radius = f.objectNode();
    if (!points.isEmpty()) {
      points.forEach(radius.putArray("points")::add);
    }
    target.forEach(radius::put);
    radius.put("percent", percent);
    if (cohort != null) {
      radius.put("cohort", cohort);
    }
    ObjectNode root = f.objectNode();
    root.set("fault", fault);
    root.set("radius", radius);
    root.put("duration", ttl.toMillis() + "ms");
    root.put("experiment", experiment);
    root.put("seed", seed);
    return root;
  }

  private static com.fasterxml.jackson.databind.JsonNode scalar(String v) {
    if (v.matches("-?[0-9]{1,18}")) {
      return JsonNodeFactory.instance.numberNode(Long.parseLong(v));
    }
    if (v.matches("-?[0-9]+\\.[0-9]+")) {
      return JsonNodeFactory.instance.numberNode(Double.parseDouble(v));
    }
    if (v.equals("true") || v.equals("false")) {
      return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(v));
    }
    return JsonNodeFactory.instance.textNode(v);
  }

  static double checkPercent(double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("fault percent must be in (0, 100], was " + percent);
    }
    return percent;
  }

  static void checkName(String what, String value) {
    if (!value.matches("[A-Za-z0-9_.:/*-]{1,128}")) {
      throw new IllegalArgumentException(
          what
              + " must be 1 to 128 letters, digits or _ . : / * -, was \""
              + value.replace("\"", "\\\"")
              + "\"");
    }
  }
}
