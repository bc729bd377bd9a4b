package io.bulwark.chaos.experiment;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.telemetry.slo.SloYaml;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Loads an {@link Experiment} from YAML through bulwark-core's config reader, so every problem —
 * syntax, unknown or camelCase keys, wrong types, values the model rejects — is reported at once as
 * a {@link ConfigException} whose lines read {@code file:line: field: message}. The keys mirror the
 * Java DSL one to one (docs/chaos.md has the reference):
 *
 * <pre>{@code
 * name: payments-errors
 * seed: 42
 * duration: 30s
 * steady-state:
 *   slos:
 *     checkout: {availability: endpoint, target: checkout, objective: 0.99}
 *     checkout-cohort: {availability: endpoint, target: checkout, objective: 0.99, cohort: exp-1}
 *   checks:
 *     p99: {histogram-quantile: bulwark_endpoint_duration_seconds, quantile: 0.99,
 *           labels: {endpoint: checkout}, below: 0.2}
 * method:
 *   errors:
 *     at: 5s
 *     duration: 20s
 *     fault: {type: http-error, status: 503}
 *     radius: {points: [http-client], service: payments, percent: 30}
 * }</pre>
 */
public final class ExperimentYaml {
  private ExperimentYaml() {}

  /** Loads {@code file} (with {@code ${ENV}} substitution from the process environment). */
  public static Experiment load(Path file) {
    return ConfigLoader.withSystemEnv().load(file, ExperimentYaml::bind);
  }

  /** Parses YAML text; {@code source} names it in errors. */
  public static Experiment parse(String yaml, String source) {
    return ConfigLoader.withEnv(Map.of()).parse(yaml, source, ExperimentYaml::bind);
  }

  /**
   * A single fault in the form of an experiment step's {@code fault} and {@code radius} sections,
   * given as YAML text (a flow map such as {@code {type: http-error, status: 503}} or a block map):
   * what {@code bulwark chaos fault start} takes, so a fault reads the same on the command line, in
   * an experiment file and (after {@link StepFault#toJson}) at the admin endpoint.
   *
   * @param fault the {@code fault} map: {@code type} and the type's parameters
   * @param faultSource names {@code fault} in errors (e.g. {@code --fault})
   * @param radius the {@code radius} map, or null for every call at the type's points
   * @param radiusSource names {@code radius} in errors (e.g. {@code --radius})
   * @throws io.bulwark.core.config.ConfigException whose lines read {@code source:line: field:
   *     message}
   */
  public static StepFault parseFault(
      String fault, String faultSource, @Nullable String radius, String radiusSource) {
    ConfigLoader loader = ConfigLoader.withEnv(Map.of());
    StepFault r =
        radius == null ? null : loader.parse(radius, radiusSource, ExperimentYaml::radius);
    return loader.parse(fault, faultSource, f -> fault(f, r));
  }

  /** Binds the root section of an experiment file. */
  public static Experiment bind(ConfigReader r) {
    r.require("name").require("duration").require("steady-state");
    String[] name = {"unnamed"};
    r.string("name", n -> name[0] = n);
    Experiment.Builder b = Experiment.builder(name[0]);
    Duration[] total = {Duration.ofDays(36_500)};
    r.string("description", b::description)
        .longValue("seed", b::seed)
        .duration(
            "duration",
            d -> {
              b.duration(d);
              total[0] = d;
            })
        .duration("tick", b::tick)
        .decimal("budget-floor", b::budgetFloor);
    r.section("steady-state", s -> steadyState(s, b));
    r.namedSections("method", (n, s) -> step(n, s, b, total[0]));
    r.namedSections("rollbacks", (n, s) -> rollback(n, s, b));
    AbortRule abort = r.section("abort", ExperimentYaml::abort);
    if (abort != null) {
      b.abort(abort);
    }
    return b.build();
  }

  private static Boolean steadyState(ConfigReader r, Experiment.Builder b) {
    r.namedSections("slos", (n, s) -> b.slo(SloYaml.indicator(n, s).build()));
    r.namedSections("checks", (n, s) -> b.check(check(n, s)));
    r.namedSections("probes", (n, s) -> b.probe(probe(n, s)));
    return true;
  }

  private static MetricCheck check(String name, ConfigReader r) {
    boolean quantile = r.has("histogram-quantile");
    if (quantile == r.has("increase")) {
      throw new IllegalArgumentException(
          "give exactly one of increase: METRIC and histogram-quantile: HISTOGRAM");
    }
    String[] metric = {""};
    double[] q = {quantile ? Double.NaN : 0};
    Map<String, String> labels = new LinkedHashMap<>();
    r.string(quantile ? "histogram-quantile" : "increase", m -> metric[0] = m)
        .decimal("quantile", v -> q[0] = v);
    r.section("labels", s -> strings(s, labels));
    if (Double.isNaN(q[0])) {
      throw new IllegalArgumentException("a histogram-quantile check needs a quantile");
    }
    MetricCheck.Comparison[] cmp = {null};
    double[] threshold = {0};
    for (MetricCheck.Comparison c : MetricCheck.Comparison.values()) {
      r.decimal(
          c.key(),
          v -> {
            if (cmp[0] != null) {
              throw new IllegalArgumentException(
                  "give only one of below, at-most, above, at-least");
            }
            cmp[0] = c;
            threshold[0] = v;
          });
    }
    if (cmp[0] == null) {
      throw new IllegalArgumentException("give one of below, at-most, above, at-least");
    }
    return new MetricCheck(
        name,
        quantile ? MetricCheck.Query.HISTOGRAM_QUANTILE : MetricCheck.Query.INCREASE,
        metric[0],
        labels,
        q[0],
        cmp[0],
        threshold[0]);
  }

  private static HttpProbe probe(String name, ConfigReader r) {
    r.require("url");
    URI[] url = {URI.create("http://unset")};
    int[] status = {200};
    Duration[] every = {Duration.ofMillis(100)};
    Duration[] timeout = {Duration.ofSeconds(1)};
    r.string("url", u -> url[0] = uri(u))
        .integer("expect-status", s -> status[0] = s)
        .duration("every", e -> every[0] = e)
        .duration("timeout", t -> timeout[0] = t);
    return new HttpProbe(name, url[0], status[0], every[0], timeout[0]);
  }

  private static String named(String what, String value) {
    StepFault.checkName(what, value);
    return value;
  }

  private static Object step(String name, ConfigReader r, Experiment.Builder b, Duration total) {
    r.require("duration").require("fault");
    Duration[] at = {Duration.ZERO};
    Duration[] duration = {Duration.ZERO};
    r.duration("at", d -> at[0] = d).duration("duration", d -> duration[0] = d);
    StepFault radius = r.section("radius", ExperimentYaml::radius);
    StepFault fault = r.section("fault", f -> fault(f, radius));
    Ramp ramp = r.section("ramp", ExperimentYaml::ramp);
    if (fault == null) {
      return false; // the fault's own problem is already reported
    }
    Step step = new Step(name, at[0], duration[0], fault, ramp);
    // the chaos engine's own parser: a bad type or parameter is an error of this file, not a run
    ChaosFaultControl.toSpec(fault, step.duration(), "validation", 0);
    if (step.end().compareTo(total) > 0) {
      throw new IllegalArgumentException(
          "step ends at " + step.end() + ", after the experiment's duration " + total);
    }
    b.step(step);
    return step;
  }

  /** {@code fault: {type: http-error, status: 503}}: the type and its parameters. */
  private static StepFault fault(ConfigReader r, @Nullable StepFault radius) {
    r.require("type");
    String[] type = {""};
    Map<String, String> params = new LinkedHashMap<>();
    r.string("type", t -> type[0] = named("fault type", t));
    for (String key : r.keys()) {
      if (!key.equals("type")) {
        r.string(key, v -> params.put(key, v));
      }
    }
    if (radius == null) {
      return new StepFault(type[0], params, List.of(), Map.of(), 100, null);
    }
    return new StepFault(
        type[0], params, radius.points(), radius.target(), radius.percent(), radius.cohort());
  }

  /** {@code radius: {points: [http-server], service: x, route: /a, percent: 30, cohort: c}}. */
  private static StepFault radius(ConfigReader r) {
    List<String> points = new ArrayList<>();
    Map<String, String> target = new LinkedHashMap<>();
    double[] percent = {100};
    String[] cohort = {null};
    r.strings(
        "points",
        ps -> {
          for (String p : ps) {
            points.add(named("radius point", p));
          }
        });
    for (String key : StepFault.TARGET_KEYS) {
      r.string(key, v -> target.put(key, v));
    }
    r.decimal("percent", p -> percent[0] = StepFault.checkPercent(p))
        .string("cohort", c -> cohort[0] = named("radius cohort", c));
    return new StepFault("radius", Map.of(), points, target, percent[0], cohort[0]);
  }

  private static Ramp ramp(ConfigReader r) {
    r.require("from").require("by").require("every").require("to");
    double[] v = {0, 0, 0};
    Duration[] every = {Duration.ZERO};
    r.decimal("from", x -> v[0] = x)
        .decimal("by", x -> v[1] = x)
        .duration("every", d -> every[0] = d)
        .decimal("to", x -> v[2] = x);
    return new Ramp(v[0], v[1], every[0], v[2]);
  }

  private static Rollback rollback(String name, ConfigReader r, Experiment.Builder b) {
    r.require("url");
    String[] method = {"POST"};
    URI[] url = {URI.create("http://unset")};
    r.string("method", m -> method[0] = m).string("url", u -> url[0] = uri(u));
    Rollback rollback = Rollback.http(name, method[0], url[0]);
    b.rollback(rollback);
    return rollback;
  }

  private static AbortRule abort(ConfigReader r) {
    AbortRule d = AbortRule.defaults();
    double[] burn = {d.burnRate()};
    Duration[] window = {d.window()};
    long[] min = {d.minEvents()};
    r.decimal("burn-rate", x -> burn[0] = x)
        .duration("window", w -> window[0] = w)
        .longValue("min-events", m -> min[0] = m);
    return new AbortRule(burn[0], window[0], min[0]);
  }

  private static Map<String, String> strings(ConfigReader r, Map<String, String> into) {
    for (String key : r.keys()) {
      r.string(key, v -> into.put(key, v));
    }
    return into;
  }

  private static URI uri(String text) {
    try {
      return new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: \"" + text + "\" (" + e.getReason() + ")");
    }
  }
}
