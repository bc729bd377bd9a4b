package io.bulwark.chaos.report;

import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.experiment.ExperimentResult.Event;
import io.bulwark.chaos.experiment.ExperimentResult.FaultWindow;
import io.bulwark.chaos.experiment.ExperimentResult.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Renders the HTML report: one page, inline CSS and SVG only. Every chart shares one x axis (the
 * run's time), so latency, error rate, fault windows, watched states and the abort line up.
 */
final class HtmlReport {
  private static final int WIDTH = 900;
  private static final int LEFT = 170;
  private static final int CHART_H = 120;
  private static final int LANE_H = 22;

  private HtmlReport() {}

  static String render(ExperimentResult r) {
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Chaos experiment ")
        .append(esc(r.experiment()))
        .append("</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}")
        .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;")
        .append("padding:3px 8px;text-align:left}.HELD{color:#0a7a2f}.FAILED,.ABORTED{color:#b00}")
        .append(".REFUSED{color:#a60}svg text{font:11px sans-serif}</style></head><body>\n");
    h.append("<h1>").append(esc(r.experiment())).append("</h1>\n");
    h.append("<p class=\"verdict\">Verdict: <strong class=\"")
        .append(r.verdict())
        .append("\">")
        .append(r.verdict())
        .append("</strong> — ")
        .append(esc(r.reason()))
        .append("</p>\n<p>Seed ")
        .append(r.seed())
        .append(", started ")
        .append(esc(r.startedAt().toString()))
        .append(", ran ")
        .append(r.elapsedMillis())
        .append(" ms.</p>\n");
    checks(h, r);
    budgets(h, r);
    cohorts(h, r);
    h.append("<h2>Timeline</h2>\n");
    timeline(h, r);
    events(h, r);
    return h.append("</body></html>\n").toString();
  }

  private static void checks(StringBuilder h, ExperimentResult r) {
    h.append("<h2>Steady-state hypothesis</h2>\n<table><tr><th>check</th><th>what</th>")
        .append("<th>measured</th><th>bound</th><th>good / total</th><th>held</th></tr>\n");
    for (ExperimentResult.CheckResult c : r.checks()) {
      h.append("<tr><td>")
          .append(esc(c.name()))
          .append("</td><td>")
          .append(esc(c.description()))
          .append("</td><td>")
          .append(num(c.measured()))
          .append("</td><td>")
          .append(num(c.threshold()))
          .append("</td><td>")
          .append(c.kind().equals("slo") ? num(c.good()) + " / " + num(c.total()) : "")
          .append("</td><td class=\"")
          .append(c.passed() ? "HELD\">yes" : "FAILED\">no")
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void budgets(StringBuilder h, ExperimentResult r) {
    h.append("<h2>Error budget spent</h2>\n<table><tr><th>SLO</th><th>objective</th>")
        .append("<th>bad events</th><th>allowed</th><th>spent</th><th>left before the run</th>")
        .append("</tr>\n");
    for (ExperimentResult.BudgetSpent b : r.budgets()) {
      h.append("<tr><td>")
          .append(esc(b.slo()))
          .append("</td><td>")
          .append(num(b.objective()))
          .append("</td><td>")
          .append(num(b.badEvents()))
          .append("</td><td>")
          .append(num(b.allowedBadEvents()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f %%", 100 * b.spent()))
          .append("</td><td>")
          .append(Double.isNaN(b.remainingBefore()) ? "not read" : num(b.remainingBefore()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    if (r.abort() != null) {
      h.append("<p class=\"ABORTED\">Aborted at ")
          .append(r.abort().atMillis())
          .append(" ms: SLO ")
          .append(esc(r.abort().slo()))
          .append(" burned ")
          .append(num(r.abort().burnRate()))
          .append("x, threshold ")
          .append(num(r.abort().threshold()))
          .append("x.</p>\n");
    }
  }

  /** Per series, one table with a column per cohort: the cohort and the control side by side. */
  private static void cohorts(StringBuilder h, ExperimentResult r) {
    if (r.cohorts().isEmpty()) {
      return;
    }
    h.append("<h2>Cohort vs control</h2>\n");
    Map<String, List<ExperimentResult.CohortSummary>> bySeries = new LinkedHashMap<>();
    for (ExperimentResult.CohortSummary c : r.cohorts()) {
      bySeries.computeIfAbsent(c.series(), k -> new ArrayList<>()).add(c);
    }
    for (Map.Entry<String, List<ExperimentResult.CohortSummary>> e : bySeries.entrySet()) {
      List<ExperimentResult.CohortSummary> cs = e.getValue();
      h.append("<table class=\"cohorts\"><tr><th>").append(esc(e.getKey())).append("</th>");
      for (ExperimentResult.CohortSummary c : cs) {
        h.append("<th>").append(esc(c.cohort())).append("</th>");
      }
      h.append("</tr>\n");
      row(h, "requests", cs, c -> num(c.requests()));
      row(h, "errors", cs, c -> num(c.errors()));
      row(h, "error rate", cs, c -> String.format(Locale.ROOT, "%.2f %%", 100 * c.errorRatio()));
      row(h, "p50 (ms)", cs, c -> c.p50Millis() < 0 ? "n/a" : num(c.p50Millis()));
      row(h, "p99 (ms)", cs, c -> c.p99Millis() < 0 ? "n/a" : num(c.p99Millis()));
      h.append("</table>\n");
    }
  }

  private static void row(
      StringBuilder h,
      String what,
      List<ExperimentResult.CohortSummary> cs,
      java.util.function.Function<ExperimentResult.CohortSummary, String> cell) {
    h.append("<tr><td>").append(what).append("</td>");
    for (ExperimentResult.CohortSummary c : cs) {
      h.append("<td>").append(esc(cell.apply(c))).append("</td>");
    }
    h.append("</tr>\n");
  }

  private static void timeline(StringBuilder h, ExperimentResult r) {
    double span = Math.max(1, r.elapsedMillis());
    Map<String, List<Sample>> bySeries = new LinkedHashMap<>();
    for (Sample s : r.samples()) {
      bySeries.computeIfAbsent(s.series(), k -> new ArrayList<>()).add(s);
    }
    for (Map.Entry<String, List<Sample>> e : bySeries.entrySet()) {
      chart(h, e.getKey() + " p99 latency (ms)", e.getValue(), Sample::p99Millis, span);
      chart(h, e.getKey() + " error rate", e.getValue(), Sample::errorRatio, span);
    }
    Map<String, List<Event>> states = new LinkedHashMap<>();
    for (Event ev : r.events()) {
      if (ev.lane().startsWith("state:")) {
        states.computeIfAbsent(ev.lane().substring(6), k -> new ArrayList<>()).add(ev);
      }
    }
    int lanes = r.faults().size() + states.size();
    int height = (lanes + 1) * LANE_H + 10;
    svgOpen(h, height);
    int y = 0;
    for (FaultWindow f : r.faults()) {
      label(h, y, "fault " + f.step());
      rect(h, x(f.fromMillis(), span), y + 3, x(f.toMillis(), span), "#d9534f", f.fault());
      y += LANE_H;
    }
    for (Map.Entry<String, List<Event>> s : states.entrySet()) {
      label(h, y, s.getKey());
      List<Event> changes = s.getValue();
      for (int i = 0; i < changes.size(); i++) {
        long from = changes.get(i).atMillis();
        long to = i + 1 < changes.size() ? changes.get(i + 1).atMillis() : r.elapsedMillis();
        String state = changes.get(i).text();
        rect(h, x(from, span), y + 3, x(to, span), color(state), state);
      }
      y += LANE_H;
    }
    axis(h, y, span);
    abortLine(h, r, span, height);
    h.append("</svg>\n");
  }

  private static void chart(
      StringBuilder h, String title, List<Sample> s, ToDoubleFunction<Sample> f, double span) {
    double max = 0;
    for (Sample p : s) {
      max = Math.max(max, f.applyAsDouble(p));
    }
    max = max <= 0 ? 1 : max;
    svgOpen(h, CHART_H + 20);
    label(h, 0, title);
    h.append("<text x=\"4\" y=\"34\">max ").append(num(max)).append("</text>");
    StringBuilder points = new StringBuilder();
    for (Sample p : s) {
      double v = f.applyAsDouble(p);
      if (v >= 0) {
        double yy = CHART_H - v / max * (CHART_H - 10);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p.atMillis(), span), yy));
      }
    }
    h.append("<line x1=\"")
        .append(LEFT)
        .append("\" y1=\"")
        .append(CHART_H)
        .append("\" x2=\"")
        .append(WIDTH)
        .append("\" y2=\"")
        .append(CHART_H)
        .append("\" stroke=\"#999\"/>");
    h.append("<polyline fill=\"none\" stroke=\"#1f6fb2\" stroke-width=\"1.5\" points=\"")
        .append(points.toString().strip())
        .append("\"/></svg>\n");
  }

  private static void svgOpen(StringBuilder h, int height) {
    h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" role=\"img\">");
  }

  private static void label(StringBuilder h, int y, String text) {
    h.append("<text x=\"4\" y=\"").append(y + 15).append("\">").append(esc(text)).append("</text>");
  }

  private static void rect(StringBuilder h, double x0, int y, double x1, String fill, String tip) {
    h.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">",
                x0,
                y,
                Math.max(1, x1 - x0),
                LANE_H - 6,
                fill))
        .append("<title>")
        .append(esc(tip))
        .append("</title></rect>");
  }

  private static void axis(StringBuilder h, int y, double span) {
    for (int i = 0; i <= 4; i++) {
      double ms = span * i / 4;
      h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">", x(ms, span) - 10, y + 15))
          .append(String.format(Locale.ROOT, "%.1fs", ms / 1000))
          .append("</text>");
    }
  }

  private static void abortLine(StringBuilder h, ExperimentResult r, double span, int height) {
    if (r.abort() != null) {
      double ax = x(r.abort().atMillis(), span);
      h.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" stroke=\"#b00\""
                  + " stroke-dasharray=\"4\"><title>abort</title></line>",
              ax,
              ax,
              height));
    }
  }

  private static void events(StringBuilder h, ExperimentResult r) {
    h.append("<h2>Events</h2>\n<table><tr><th>ms</th><th>lane</th><th>what</th></tr>\n");
    for (Event e : r.events()) {
      h.append("<tr><td>")
          .append(e.atMillis())
          .append("</td><td>")
          .append(esc(e.lane()))
          .append("</td><td>")
          .append(esc(e.text()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static double x(long ms, double span) {
    return x((double) ms, span);
  }

  private static double x(double ms, double span) {
    return LEFT + (WIDTH - LEFT - 10) * Math.min(1, Math.max(0, ms / span));
  }

  private static String color(String state) {
    String s = state.toUpperCase(Locale.ROOT);
    if (s.contains("HALF")) {
      return "#f0ad4e";
    }
    if (s.contains("OPEN")) {
      return "#d9534f";
    }
    return s.contains("CLOSED") ? "#5cb85c" : "#8a8a8a";
  }

  private static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.4g", v);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
