package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.telemetry.slo.BurnRateAlert;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A system file's {@code slos:}: bound by the telemetry module's SLO binder into {@link
 * SystemModel#slos()}, judged by the runtime; every bad entry names file, line, field and value.
 */
class SystemFileSlosTest {
  @TempDir Path dir;
  private static final String F = NodeFactory.class.getName();

  /** A one-service system file whose {@code slos:} section is {@code slos} (indented by 2). */
  private static String file(String slos) {
    return "system: s\nservices:\n  web: {factory: " + F + "}\nslos:\n" + slos.stripIndent();
  }

  /** The problems of the file with {@code slos}, each {@code sys.yaml:line: field: message}. */
  private List<String> problems(String slos) throws Exception {
    String prefix = dir.resolve("sys.yaml").toString();
    return SystemFiles.problems(dir, file(slos)).stream()
        .map(p -> p.startsWith(prefix) ? "sys.yaml" + p.substring(prefix.length()) : p)
        .toList();
  }

  /** Loading the file with {@code slos} fails with exactly {@code expected}. */
  private void refused(String slos, String... expected) throws Exception {
    assertThat(problems(slos)).as(slos).containsExactly(expected);
  }

  @Test
  void everyKeyBindsIntoTheTelemetrySloModel() {
    SystemModel m =
        SystemFile.parse(
            file(
                """
                  web-availability:
                    availability: endpoint
                    target: GET /hello
                    objective: 0.99
                    min-events: 20
                    window: 2h
                    alerts:
                      fast: {severity: page, burn-rate: 14.4, long-window: 1h, short-window: 5m}
                      slow: {severity: ticket, burn-rate: 2, long-window: 2h, short-window: 10m}
                  web-latency:
                    latency: endpoint
                    target: GET /hello
                    threshold: 250ms
                    cohort: exp-1
                    window: 24h
                    alerts: {}
                  upstream: {availability: dependency, target: prices, window: 1h, alerts: {}}
                """),
            "sys.yaml",
            dir);
    assertThat(m.slos())
        .extracting(Slo::name)
        .containsExactly("web-availability", "web-latency", "upstream");
    Slo a = m.slos().get(0);
    assertThat(a.sli()).isEqualTo(Sli.endpointAvailability("GET /hello"));
    assertThat(a.objective()).isEqualTo(0.99);
    assertThat(a.minimumEvents()).isEqualTo(20);
    assertThat(a.window()).isEqualTo(Duration.ofHours(2));
    assertThat(a.alerts())
        .containsExactly(
            new BurnRateAlert(
                BurnRateAlert.Severity.PAGE, 14.4, Duration.ofHours(1), Duration.ofMinutes(5)),
            new BurnRateAlert(
                BurnRateAlert.Severity.TICKET, 2, Duration.ofHours(2), Duration.ofMinutes(10)));
    Slo l = m.slos().get(1);
    assertThat(l.sli())
        .isEqualTo(Sli.endpointLatency("GET /hello", Duration.ofMillis(250)).inCohort("exp-1"));
    assertThat(l.objective()).as("the model's default").isEqualTo(0.999);
    assertThat(l.window()).isEqualTo(Duration.ofHours(24));
    assertThat(l.alerts()).isEmpty();
    assertThat(m.slos().get(2).sli()).isEqualTo(Sli.dependencyAvailability("prices"));
  }

  @Test
  void aFileWithoutSlosHasNone() {
    SystemModel m =
        SystemFile.parse("system: s\nservices:\n  web: {factory: " + F + "}\n", "sys.yaml", dir);
    assertThat(m.slos()).isEmpty();
  }

  @Test
  void theIndicatorIsOneKindOnOneTarget() throws Exception {
    refused(
        "  x: {target: a, window: 1h}\n",
        "sys.yaml:5: slos.x: give exactly one of availability: endpoint|dependency and"
            + " latency: endpoint");
    assertThat(problems("  x: {availability: a, latency: b, target: t, window: 1h}\n"))
        .anyMatch(p -> p.startsWith("sys.yaml:5: slos.x: give exactly one of"));
    refused(
        "  x: {availability: queue, target: t, window: 1h, alerts: {}}\n",
        "sys.yaml:5: slos.x: availability must be endpoint or dependency, was \"queue\"");
    assertThat(problems("  x: {availability: endpoint, window: 1h, alerts: {}}\n"))
        .contains("sys.yaml:5: slos.x.target: is required");
    refused(
        "  x: {latency: endpoint, target: t, window: 1h, alerts: {}}\n",
        "sys.yaml:5: slos.x: a latency SLO needs a threshold (a bucket bound)");
    assertThat(
            problems(
                "  x: {latency: dependency, target: t, threshold: 1s, window: 1h, alerts: {}}\n"))
        .containsExactly("sys.yaml:5: slos.x: latency SLOs are on endpoints, was \"dependency\"");
    assertThat(
            problems(
                "  x: {availability: endpoint, target: t, threshold: 1s, window: 1h, alerts: {}}\n"))
        .containsExactly(
            "sys.yaml:5: slos.x: threshold PT1S is for latency SLOs; this one is on availability");
    refused(
        "  x: {availability: endpoint, target: 'a\"b', window: 1h, alerts: {}}\n",
        "sys.yaml:5: slos.x: SLI target must be a non-empty name without quotes or"
            + " backslashes, was \"a\"b\"");
    assertThat(
            problems(
                "  x: {availability: endpoint, target: t, cohort: 'a b', window: 1h, alerts:"
                    + " {}}\n"))
        .containsExactly(
            "sys.yaml:5: slos.x.cohort: slo cohort must be 1 to 128 letters, digits or _ . : / *"
                + " -, was \"a b\"");
  }

  @Test
  void badNumbersNamesAndKeysAreRefusedWithTheirValues() throws Exception {
    String ok = "availability: endpoint, target: t, window: 1h, alerts: {}";
    refused(
        "  x: {" + ok + ", objective: 1.5}\n",
        "sys.yaml:5: slos.x.objective: SLO \"x\": objective must be strictly between 0 and 1,"
            + " was 1.5");
    refused(
        "  x: {" + ok + ", objective: high}\n",
        "sys.yaml:5: slos.x.objective: expected a number, got \"high\"");
    refused(
        "  x: {" + ok + ", min-events: -1}\n",
        "sys.yaml:5: slos.x.min-events: SLO \"x\": minimumEvents must be >= 0, was -1");
    refused(
        "  bad name: {" + ok + "}\n",
        "sys.yaml:5: slos.bad name: SLO name must be 1 to 64 letters, digits, '_', '.', '-',"
            + " was \"bad name\"");
    refused(
        "  x: {" + ok + ", minEvents: 3}\n",
        "sys.yaml:5: slos.x.minEvents: keys are kebab-case: write \"min-events\" instead of"
            + " \"minEvents\"");
    refused("  x: 0.99\n", "sys.yaml:5: slos.x: expected a map, got a value");
  }

  @Test
  void windowsMustFitTheSystemStore() throws Exception {
    String sli = "availability: endpoint, target: t";
    refused(
        "  x: {" + sli + ", alerts: {}}\n",
        "sys.yaml:5: slos.x: window is required (1h to 24h: the default of 30d is longer"
            + " than the system's metrics store keeps)");
    refused(
        "  x: {" + sli + ", window: 30m, alerts: {}}\n",
        "sys.yaml:5: slos.x.window: SLO \"x\": window must be at least 1h, was PT30M");
    refused(
        "  x: {" + sli + ", window: 2d, alerts: {}}\n",
        "sys.yaml:5: slos.x.window: window PT48H is longer than PT24H, the most the SLO's store"
            + " keeps");
    refused(
        "  x: {" + sli + ", window: 1h}\n",
        "sys.yaml:5: slos.x: default alert ticket-3d-6h: long-window PT72H is longer than PT24H,"
            + " the most the SLO's store keeps; list the SLO's alerts");
  }

  @Test
  void badAlertsAreRefusedWithTheirValues() throws Exception {
    String head = "  x:\n    availability: endpoint\n    target: t\n    window: 1h\n    alerts:\n";
    assertThat(
            problems(
                head
                    + "      a: {severity: pager, burn-rate: 2, long-window: 1h, short-window:"
                    + " 5m}\n"))
        .containsExactly(
            "sys.yaml:10: slos.x.alerts.a.severity: expected one of page, ticket, got \"pager\"");
    assertThat(
            problems(
                head
                    + "      a: {severity: page, burn-rate: 0, long-window: 1h, short-window: 5m}\n"))
        .containsExactly(
            "sys.yaml:10: slos.x.alerts.a: burnRate must be positive and finite, was 0.0");
    assertThat(
            problems(
                head
                    + "      a: {severity: page, burn-rate: 2, long-window: 1h, short-window: 1h}\n"))
        .containsExactly(
            "sys.yaml:10: slos.x.alerts.a: shortWindow PT1H must be shorter than longWindow PT1H");
    refused(
        head + "      a: {severity: page, burn-rate: 2, long-window: 1h}\n",
        "sys.yaml:10: slos.x.alerts.a.short-window: is required");
    refused(
        "  x: {availability: endpoint, target: t, window: 1h, alerts: {a: {severity: page,"
            + " burn-rate: 2, long-window: 2d, short-window: 1h}}}\n",
        "sys.yaml:5: slos.x.alerts.a.long-window: long-window PT48H is longer than PT24H, the"
            + " most the SLO's store keeps");
  }

  @Test
  void anSloNamedByTheFileAndByTheOptionsIsRefused() {
    SystemModel m =
        SystemFile.parse(
            file("  x: {availability: endpoint, target: t, window: 1h, alerts: {}}\n"),
            "sys.yaml",
            dir);
    Slo again =
        Slo.builder("x")
            .sli(Sli.endpointAvailability("u"))
            .window(Duration.ofHours(1))
            .alerts(List.of())
            .build();
    assertThatThrownBy(
            () ->
                SystemRuntime.inProcess(
                    m, RuntimeOptions.builder(dir).slos(List.of(again)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SLO \"x\" is declared by system s and again in RuntimeOptions.slos");
  }
}
