package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.examples.shop.load.LoadInterval;
import io.bulwark.runtime.RuntimeEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@code --compare} report: one self-contained HTML file (ECharts inlined from its webjar, so
 * it reads offline) with a timeline chart of each run's per-second error rate and p99, the game
 * day's steps marked, and the side-by-side table.
 */
public final class HtmlReport {
  /** Where the chart library is read from (the {@code org.webjars.npm:echarts} webjar). */
  public static final String ECHARTS =
      "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

  private HtmlReport() {}

  /** Writes the report under {@code dir} as {@code report-<time>.html} and returns its path. */
  public static Path write(Path dir, List<RunResult> runs) {
    String name =
        "report-"
            + LocalDateTime.now(ZoneId.systemDefault())
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
            + ".html";
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(name);
      Files.writeString(file, html(runs), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report under " + dir + ": " + e, e);
    }
  }

  /** The report's HTML. */
  public static String html(List<RunResult> runs) {
    StringBuilder b = new StringBuilder(1 << 20);
    b.append("<!doctype html>\n<html><head><meta charset=\"utf-8\">")
        .append("<title>bulwark demo: resilience on vs off</title>\n<style>")
        .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}")
        .append(".chart{width:100%;height:340px}</style>\n<script>")
        .append(library().replace("</script", "<\\/script"))
        .append("</script></head><body>\n<h1>bulwark demo: ")
        .append(escape(runs.get(0).scenario()))
        .append("</h1>\n<div id=\"errors\" class=\"chart\"></div>\n")
        .append("<div id=\"p99\" class=\"chart\"></div>\n")
        .append(stepList(runs.get(0).steps()))
        .append(runtimeEvents(runs))
        .append(table(runs))
        .append("<script>\n")
        .append("const steps = ")
        .append(steps(runs.get(0).steps()))
        .append(";\n")
        .append("const runs = ")
        .append(series(runs))
        .append(";\n")
        .append(CHART_JS)
        .append("</script></body></html>\n");
    return b.toString();
  }

  private static final String CHART_JS =
      """
      function chart(id, title, unit, field) {
        const c = echarts.init(document.getElementById(id));
        c.setOption({
          title: {text: title}, tooltip: {trigger: 'axis'}, legend: {top: 24},
          xAxis: {type: 'value', name: 's'}, yAxis: {type: 'value', name: unit},
          series: runs.map((r, i) => ({
            name: 'resilience ' + r.name, type: 'line', showSymbol: false,
            data: r[field],
            markLine: i > 0 ? undefined : {symbol: 'none', label: {formatter: '{b}'},
              data: steps.map((s, k) => ({name: String(k + 1), xAxis: s.at}))}
          }))
        });
      }
      chart('errors', 'error rate per second (users)', '%', 'errorRate');
      chart('p99', 'p99 latency per second (users)', 'ms', 'p99');
      """;

  private static String library() {
    try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(ECHARTS)) {
      if (in == null) {
        throw new IllegalStateException(
            "the chart library " + ECHARTS + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ECHARTS, e);
    }
  }

  private static String table(List<RunResult> runs) {
    StringBuilder b = new StringBuilder("<table><tr><th></th>");
    runs.forEach(r -> b.append("<th>resilience ").append(r.label()).append("</th>"));
    b.append("</tr>\n");
    for (Map.Entry<String, List<String>> row : SummaryTable.rows(runs).entrySet()) {
      b.append("<tr><td>").append(escape(row.getKey())).append("</td>");
      row.getValue().forEach(v -> b.append("<td>").append(escape(v)).append("</td>"));
      b.append("</tr>\n");
    }
    return b.append("</table>\n").toString();
  }

  /** The game day's steps, numbered as the charts mark them (titles would overlap there). */
  private static String stepList(List<StepEvent> steps) {
    StringBuilder b = new StringBuilder("<ol class=\"steps\">\n");
    for (StepEvent s : steps) {
      b.append(
          String.format(
              Locale.ROOT,
              "<li>at %.1f s: %s%s</li>%n",
              s.started().toMillis() / 1000.0,
              escape(s.step().title()),
              s.error() != null
                  ? " <em>failed: " + escape(s.error()) + "</em>"
                  : s.outcome() != null ? " — " + escape(s.outcome()) : ""));
    }
    return b.append("</ol>\n").toString();
  }

  /** What the runtime did in each run (rollbacks, kills, partitions, scaling). */
  private static String runtimeEvents(List<RunResult> runs) {
    StringBuilder b = new StringBuilder();
    for (RunResult r : runs) {
      b.append("<h3>what the runtime did, resilience ")
          .append(r.label())
          .append("</h3>\n<ul class=\"runtime\">\n");
      for (RuntimeEvent e : r.runtimeEvents()) {
        String subject = e.instance() != null ? e.instance() : e.service();
        b.append("<li>")
            .append(escape(e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')))
            .append(' ')
            .append(escape(subject))
            .append(": ")
            .append(escape(e.detail()))
            .append("</li>\n");
      }
      b.append("</ul>\n");
    }
    return b.toString();
  }

  private static String steps(List<StepEvent> steps) {
    StringJoiner j = new StringJoiner(",", "[", "]");
    for (StepEvent s : steps) {
      j.add(
          String.format(
              Locale.ROOT,
              "{\"title\":\"%s\",\"at\":%.1f}",
              jsonString(s.step().title()),
              s.started().toMillis() / 1000.0));
    }
    return j.toString();
  }

  private static String series(List<RunResult> runs) {
    StringJoiner all = new StringJoiner(",", "[", "]");
    for (RunResult r : runs) {
      StringJoiner errors = new StringJoiner(",", "[", "]");
      StringJoiner p99 = new StringJoiner(",", "[", "]");
      for (LoadInterval i : r.load().timeline()) {
        errors.add(String.format(Locale.ROOT, "[%d,%.2f]", i.second(), 100 * i.errorRate()));
        p99.add(String.format(Locale.ROOT, "[%d,%.1f]", i.second(), i.p99Micros() / 1000.0));
      }
      all.add("{\"name\":\"" + r.label() + "\",\"errorRate\":" + errors + ",\"p99\":" + p99 + "}");
    }
    return all.toString();
  }

  private static String jsonString(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("<", "\\u003c");
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
