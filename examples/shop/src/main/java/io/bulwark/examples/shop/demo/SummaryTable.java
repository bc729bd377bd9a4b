package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.Invariant;
import io.bulwark.examples.shop.InvariantReport;
import io.bulwark.examples.shop.load.LoadReport;
import io.bulwark.runtime.RuntimeEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The end-of-run summary: one column per run (one run, or resilience on and off side by side), one
 * row per figure: requests, error rate, p50/p99, checkouts, SLO verdicts, invariants.
 */
public final class SummaryTable {
  private SummaryTable() {}

  /** Rows of (figure, value per run), in display order. */
  public static Map<String, List<String>> rows(List<RunResult> runs) {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    row(rows, runs, "requests", r -> Long.toString(r.load().requests()));
    row(
        rows,
        runs,
        "errors",
        r ->
            String.format(
                Locale.ROOT, "%d (%.2f%%)", r.load().errors(), 100 * r.load().errorRate()));
    row(rows, runs, "latency p50", r -> ms(r.load(), 50));
    row(rows, runs, "latency p99", r -> ms(r.load(), 99));
    row(rows, runs, "checkouts completed", r -> count(r, "completed"));
    row(rows, runs, "checkouts failed", r -> count(r, "failed"));
    row(rows, runs, "checkouts rejected (409)", r -> count(r, "rejected"));
    row(
        rows,
        runs,
        "double-clicks / duplicate orders",
        r -> count(r, "doubleSubmits") + " / " + count(r, "duplicateOrders"));
    row(
        rows,
        runs,
        "BFF pages web / mobile (partial)",
        r ->
            r.load().pages().web()
                + " / "
                + r.load().pages().mobile()
                + " ("
                + r.load().pages().partial()
                + ")");
    row(
        rows,
        runs,
        "product pages with popular items",
        r -> Long.toString(r.load().degradedPages()));
    row(rows, runs, "breakers seen open", r -> Integer.toString(r.breakersOpened().size()));
    row(
        rows,
        runs,
        "rollouts rolled back / completed",
        r ->
            r.events(RuntimeEvent.Kind.ROLLED_BACK).size()
                + " / "
                + r.events(RuntimeEvent.Kind.ROLLOUT_COMPLETED).size());
    row(rows, runs, "partitions cut / healed", SummaryTable::partitions);
    row(rows, runs, "autoscaler scalings", SummaryTable::scalings);
    row(rows, runs, "notifications sent", r -> figure(r, "notifications"));
    for (int i = 0; i < UserSlos.slos().size(); i++) {
      int k = i;
      SloVerdict first = runs.get(0).slos().get(k);
      row(
          rows,
          runs,
          String.format(Locale.ROOT, "SLO %s >= %.0f%%", first.name(), 100 * first.objective()),
          r -> verdict(r.slos().get(k)));
    }
    for (String invariant : invariantNames(runs)) {
      row(rows, runs, "invariant: " + invariant, r -> invariant(r.invariants(), invariant));
    }
    if (runs.stream().anyMatch(r -> r.steps().stream().anyMatch(e -> e.step().guarantee()))) {
      row(rows, runs, "guarantee steps held", SummaryTable::guarantees);
    }
    row(rows, runs, "verdict", r -> r.passed() ? "PASS" : "FAIL");
    return rows;
  }

  /** "1/1", or the guarantee steps that failed: "0/1 FAILED intruder: BREACH ...". */
  private static String guarantees(RunResult r) {
    List<io.bulwark.examples.shop.gameday.StepEvent> all =
        r.steps().stream().filter(e -> e.step().guarantee()).toList();
    List<io.bulwark.examples.shop.gameday.StepEvent> failed =
        all.stream().filter(e -> !e.ok()).toList();
    String held = (all.size() - failed.size()) + "/" + all.size();
    return failed.isEmpty()
        ? held
        : held
            + " FAILED "
            + failed.stream()
                .map(e -> e.step().title() + ": " + e.error())
                .collect(java.util.stream.Collectors.joining("; "));
  }

  /** The table as text, with a header naming each run's resilience. */
  public static String render(List<RunResult> runs) {
    Map<String, List<String>> rows = rows(runs);
    int labelWidth = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
    int width =
        Math.max(
            26,
            rows.values().stream().flatMap(List::stream).mapToInt(String::length).max().orElse(0)
                + 2);
    StringBuilder b = new StringBuilder();
    b.append(pad("", labelWidth));
    for (RunResult r : runs) {
      b.append("  ").append(pad("resilience " + r.label(), width));
    }
    b.append('\n');
    rows.forEach(
        (label, values) -> {
          b.append(pad(label, labelWidth));
          values.forEach(v -> b.append("  ").append(pad(v, width)));
          b.append('\n');
        });
    return b.toString();
  }

  private static void row(
      Map<String, List<String>> rows,
      List<RunResult> runs,
      String label,
      Function<RunResult, String> value) {
    List<String> values = new ArrayList<>();
    runs.forEach(r -> values.add(value.apply(r)));
    rows.put(label, values);
  }

  private static String partitions(RunResult r) {
    return r.events(RuntimeEvent.Kind.PARTITIONED).size()
        + " / "
        + r.events(RuntimeEvent.Kind.HEALED).size();
  }

  /** {@code recommendations 1->2, 2->1}: every scaling in order, by service. */
  private static String scalings(RunResult r) {
    List<RuntimeEvent> scaled = r.events(RuntimeEvent.Kind.SCALED);
    if (scaled.isEmpty()) {
      return "none";
    }
    StringBuilder b = new StringBuilder();
    String service = "";
    for (RuntimeEvent e : scaled) {
      if (!e.service().equals(service)) {
        service = e.service();
        b.append(b.isEmpty() ? "" : "; ").append(service).append(' ');
      } else {
        b.append(", ");
      }
      b.append(e.detail().replace("scaled ", "").replace(" -> ", "->"));
    }
    return b.toString();
  }

  private static String ms(LoadReport load, double percentile) {
    return load.latencyPercentile(percentile).toMillis() + " ms";
  }

  private static String count(RunResult r, String outcome) {
    return Long.toString(r.load().checkouts(outcome));
  }

  private static String verdict(SloVerdict v) {
    return String.format(
        Locale.ROOT,
        "%.2f%% %s (budget %.0f%%)",
        100 * v.ratio(),
        v.holds() ? "ok" : "MISSED",
        100 * v.budgetRemaining());
  }

  private static String figure(RunResult r, String name) {
    InvariantReport report = r.invariants();
    Long v = report == null ? null : report.figures().get(name);
    return v == null ? "not checked" : Long.toString(v);
  }

  private static List<String> invariantNames(List<RunResult> runs) {
    List<String> names = new ArrayList<>();
    for (RunResult r : runs) {
      InvariantReport report = r.invariants();
      if (report != null) {
        report.invariants().stream()
            .map(Invariant::name)
            .filter(n -> !names.contains(n))
            .forEach(names::add);
      }
    }
    return names;
  }

  private static String invariant(@Nullable InvariantReport report, String name) {
    if (report == null) {
      return "not checked";
    }
    return report.invariants().stream()
        .filter(i -> i.name().equals(name))
        .findFirst()
        .map(i -> i.holds() ? "holds" : "VIOLATED: " + shorten(i.detail()))
        .orElse("not checked");
  }

  private static String shorten(String detail) {
    return detail.length() <= 60 ? detail : detail.substring(0, 57) + "...";
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }
}
