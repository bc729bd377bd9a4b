package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.Invariant;
import io.bulwark.examples.shop.InvariantReport;
import io.bulwark.examples.shop.gameday.Step;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.examples.shop.load.FakeShop;
import io.bulwark.examples.shop.load.LoadGenerator;
import io.bulwark.examples.shop.load.LoadOptions;
import io.bulwark.examples.shop.load.LoadPlan;
import io.bulwark.examples.shop.load.LoadReport;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compare report and the summary table, on two real (short) loads against a fake shop. */
class HtmlReportTest {
  private static RunResult on;
  private static RunResult off;

  @BeforeAll
  static void twoRuns() {
    StepEvent step =
        new StepEvent(
            new Step(0.5, "kill <inventory-2>", Step.Action.none()),
            Duration.ofSeconds(1),
            Duration.ofMillis(1200),
            Duration.ofMillis(5),
            null);
    InvariantReport holds =
        new InvariantReport(
            List.of(new Invariant("no payment charged twice", true, "0")), Map.of());
    try (FakeShop shop = new FakeShop(FakeShop.happy())) {
      on =
          new RunResult(
              true,
              "game-day",
              load(shop),
              List.of(),
              holds,
              List.of(step),
              List.of(),
              Duration.ZERO,
              Map.of(),
              List.of());
      LoadReport offLoad = load(shop);
      off =
          new RunResult(
              false,
              "game-day",
              offLoad,
              UserSlos.judge(offLoad),
              null,
              List.of(step),
              List.of(),
              Duration.ZERO,
              Map.of(),
              List.of());
    }
    on =
        new RunResult(
            true,
            "game-day",
            on.load(),
            // every SLO held, fixed: the fake load's latencies depend on the machine, the table
            // test must not
            UserSlos.judge(on.load()).stream()
                .map(v -> new SloVerdict(v.name(), v.objective(), 100, 100, 1.0, true))
                .toList(),
            on.invariants(),
            on.steps(),
            List.of(),
            Duration.ZERO,
            Map.of(),
            List.of());
  }

  private static LoadReport load(FakeShop shop) {
    LoadOptions options = new LoadOptions(40, Duration.ofSeconds(2), 5, Duration.ofSeconds(10));
    return new LoadGenerator(options, new LoadPlan(5, FakeShop.ASSORTMENT), s -> shop.uri()).run();
  }

  private static String library() throws Exception {
    try (InputStream in =
        HtmlReportTest.class.getClassLoader().getResourceAsStream(HtmlReport.ECHARTS)) {
      assertThat(in).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theReportInlinesTheChartLibraryAndCarriesBothSeriesAndTheSteps(@TempDir Path dir)
      throws Exception {
    Path file = HtmlReport.write(dir.resolve("reports"), List.of(on, off));
    assertThat(file.getFileName().toString()).matches("report-\\d{8}-\\d{6}\\.html");
    String html = Files.readString(file);
    String library = library();
    assertThat(library.length()).isGreaterThan(500_000);
    assertThat(html).contains(library.replace("</script", "<\\/script"));
    assertThat(html).doesNotContain("src=\"http");
    for (String run : List.of("on", "off")) {
      Matcher m =
          Pattern.compile("\\{\"name\":\"" + run + "\",\"errorRate\":\\[(.*?)\\],\"p99\"")
              .matcher(html);
      assertThat(m.find()).as("series of run %s", run).isTrue();
      long points = Pattern.compile("\\[\\d+,").matcher(m.group(1)).results().count();
      assertThat(points).isGreaterThanOrEqualTo(2);
    }
    assertThat(html).contains("{\"title\":\"kill \\u003cinventory-2>\",\"at\":1.2}");
    assertThat(html)
        .as("the steps listed, numbered as the charts mark them, their titles escaped")
        .contains("<ol class=\"steps\">\n<li>at 1.2 s: kill &lt;inventory-2&gt;</li>");
    assertThat(html).contains("<td>resilience on</td>".replace("td", "th"));
    assertThat(html).contains("<td>invariant: no payment charged twice</td><td>holds</td>");
  }

  /**
   * The report opened offline by a real browser (Debian's {@code chromium}, headless; installed by
   * {@code .ci/run}): both charts are drawn, which needs the inlined library to load and run on the
   * embedded data without any network.
   */
  @Test
  void aRealBrowserDrawsBothChartsOffline(@TempDir Path dir) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Assumptions.assumeTrue(
        Files.isExecutable(chromium),
        "chromium is not installed (apt-get install chromium): the report is not opened in a browser");
    Path file = HtmlReport.write(dir.resolve("reports"), List.of(on, off));
    Process browser =
        new ProcessBuilder(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--user-data-dir=" + dir.resolve("profile"),
                "--virtual-time-budget=5000",
                "--dump-dom",
                file.toUri().toString())
            .redirectError(dir.resolve("chromium.log").toFile())
            .start();
    String dom;
    try (InputStream in = browser.getInputStream()) {
      dom = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(browser.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    for (String chart : List.of("errors", "p99")) {
      Matcher drawn =
          Pattern.compile("<div id=\"" + chart + "\"[^>]*>\\s*<div[^>]*>\\s*<canvas").matcher(dom);
      assertThat(drawn.find())
          .as("chart %s drawn (a canvas inside its div); the DOM was: %s", chart, dom)
          .isTrue();
    }
  }

  @Test
  void theTableShowsEachRunsFiguresAndVerdictSideBySide() {
    Map<String, List<String>> rows = SummaryTable.rows(List.of(on, off));
    assertThat(rows.get("requests"))
        .containsExactly(Long.toString(on.load().requests()), Long.toString(off.load().requests()));
    assertThat(rows.get("invariant: no payment charged twice"))
        .containsExactly("holds", "not checked");
    assertThat(rows.get("verdict")).containsExactly("PASS", "FAIL");
    assertThat(rows).containsKey("SLO availability >= 99%");
    String text = SummaryTable.render(List.of(on, off));
    assertThat(text.lines().findFirst().orElseThrow())
        .contains("resilience on")
        .contains("resilience off");
  }
}
