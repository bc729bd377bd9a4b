package io.bulwark.telemetry.slo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Exports SLOs as a Prometheus rule file: per SLO one group {@code bulwark-slo-<name>} with a
 * recording rule {@code bulwark:slo_error_ratio:rate<w>} (label {@code slo}) for every window its
 * alerts use, then one alerting rule per burn-rate alert:
 *
 * <pre>
 * - alert: BulwarkSloBurnRate
 *   expr: bulwark:slo_error_ratio:rate1h{slo="x"} &gt; (14.4 * 0.001)
 *     and bulwark:slo_error_ratio:rate5m{slo="x"} &gt; (14.4 * 0.001)
 *   labels: {severity: page, slo: x, long_window: 1h, short_window: 5m}
 *   annotations: {summary: ..., description: ...}
 * </pre>
 *
 * With {@link Slo#minimumEvents()} above 0 each alert also requires {@code and on() (<events in the
 * long window> >= n)}. The alert condition is the one {@link SloEvaluator} evaluates in-process.
 */
public final class PrometheusRules {
  public static final String RECORD_PREFIX = "bulwark:slo_error_ratio:rate";
  public static final String ALERT_NAME = "BulwarkSloBurnRate";

  private PrometheusRules() {}

  /** The rule file as a tree of maps and lists (what {@link #toYaml} writes). */
  public static Map<String, Object> toTree(List<Slo> slos) {
    List<Object> groups = new ArrayList<>();
    for (Slo slo : slos) {
      groups.add(group(slo));
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("groups", groups);
    return root;
  }

  /** The rule file as YAML, ready for Prometheus' {@code rule_files}. */
  public static String toYaml(List<Slo> slos) {
    ObjectMapper yaml =
        new ObjectMapper(
            YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build());
    try {
      return yaml.writeValueAsString(toTree(slos));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> group(Slo slo) {
    TreeSet<Duration> windows = new TreeSet<>();
    for (BurnRateAlert a : slo.alerts()) {
      windows.add(a.longWindow());
      windows.add(a.shortWindow());
    }
    List<Object> rules = new ArrayList<>();
    for (Duration w : windows) {
      String pw = PromDurations.format(w);
      Map<String, Object> rule = new LinkedHashMap<>();
      rule.put("record", RECORD_PREFIX + pw);
      rule.put("expr", slo.sli().errorRatioPromQl(pw));
      rule.put("labels", Map.of("slo", slo.name()));
      rules.add(rule);
    }
    String budget = slo.errorBudget().stripTrailingZeros().toPlainString();
    for (BurnRateAlert a : slo.alerts()) {
      rules.add(alert(slo, a, budget));
    }
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", "bulwark-slo-" + slo.name());
    group.put("rules", rules);
    return group;
  }

  private static Map<String, Object> alert(Slo slo, BurnRateAlert a, String budget) {
    String lw = PromDurations.format(a.longWindow());
    String sw = PromDurations.format(a.shortWindow());
    String threshold = "(" + formatRate(a.burnRate()) + " * " + budget + ")";
    String sel = "{slo=\"" + slo.name() + "\"}";
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("alert", ALERT_NAME);
    String expr =
        "%s%s%s > %s and %s%s%s > %s"
            .formatted(RECORD_PREFIX, lw, sel, threshold, RECORD_PREFIX, sw, sel, threshold);
    if (slo.minimumEvents() > 0) {
      expr += " and on() (" + slo.sli().totalPromQl(lw) + " >= " + slo.minimumEvents() + ")";
    }
    rule.put("expr", expr);
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put("severity", a.severity().label());
    labels.put("slo", slo.name());
    labels.put("long_window", lw);
    labels.put("short_window", sw);
    rule.put("labels", labels);
    Map<String, Object> annotations = new LinkedHashMap<>();
    annotations.put(
        "summary",
        "SLO " + slo.name() + " burns its error budget over " + formatRate(a.burnRate()) + "x");
    annotations.put(
        "description",
        "Error ratio above "
            + formatRate(a.burnRate())
            + " x "
            + budget
            + " over both "
            + lw
            + " and "
            + sw
            + " (objective "
            + slo.objective()
            + " over "
            + PromDurations.format(slo.window())
            + ").");
    rule.put("annotations", annotations);
    return rule;
  }

  static String formatRate(double rate) {
    return java.math.BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString();
  }
}
