package io.bulwark.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.experiment.ReportFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON round-trips every field; the HTML stands alone and escapes what it shows. */
class ExperimentReportTest {
  static final ExperimentResult RUN = ReportFixture.abortedRun();

  @Test
  void jsonRoundTripsEveryField() {
    String json = ExperimentReport.json(RUN);
    assertThat(json)
        .contains("\"verdict\" : \"ABORTED\"", "\"startedAt\" : \"2026-01-01T00:00:00Z\"");
    ExperimentResult back = ExperimentReport.readJson(json);
    assertThat(back).isEqualTo(RUN);
    assertThat(back.samples()).hasSameSizeAs(RUN.samples()).isNotEmpty();
  }

  @Test
  void badJsonIsRejectedWithAReason() {
    assertThatThrownBy(() -> ExperimentReport.readJson("{\"experiment\": 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not an experiment result");
  }

  @Test
  void htmlShowsVerdictBudgetAndOneTimelineOffline() {
    String html = ExperimentReport.html(RUN);
    assertThat(RUN.verdict()).isEqualTo(ExperimentResult.Verdict.ABORTED);
    assertThat(html)
        .contains("<strong class=\"ABORTED\">ABORTED</strong>")
        .contains("Error budget spent")
        .contains("<polyline") // latency and error-rate charts
        .contains("fault errors") // the fault lane
        .contains("payments-breaker") // the watched state lane
        .contains("<title>abort</title>")
        .contains("Aborted at " + RUN.abort().atMillis() + " ms");
    // self-contained: no script, no external resource of any kind
    assertThat(html).doesNotContain("<script").doesNotContainPattern("(src|href)\\s*=");
    assertThat(
            Pattern.compile("https?://")
                .matcher(html.replace("http://www.w3.org/2000/svg", ""))
                .find())
        .isFalse();
    // hostile text from the experiment is escaped
    assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  }

  @Test
  void writesBothFiles(@TempDir Path dir) throws Exception {
    List<Path> files = ExperimentReport.write(RUN, dir.resolve("reports"));
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("report-demo.json", "report-demo.html");
    assertThat(ExperimentReport.readJson(Files.readString(files.get(0)))).isEqualTo(RUN);
    assertThat(Files.readString(files.get(1))).isEqualTo(ExperimentReport.html(RUN));
  }
}
