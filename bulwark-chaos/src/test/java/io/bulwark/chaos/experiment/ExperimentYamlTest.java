package io.bulwark.chaos.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigProblem;
import io.bulwark.telemetry.slo.Sli;
import io.bulwark.telemetry.slo.Slo;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** YAML and the Java DSL produce the same model; every bad value is named with file and line. */
class ExperimentYamlTest {
  static final String FULL =
      """
      name: payments-errors
      description: checkout survives payment errors
      seed: 42
      duration: 30s
      tick: 100ms
      budget-floor: 0.25
      steady-state:
        slos:
          checkout:
            availability: endpoint
            target: checkout
            objective: 0.99
          checkout-latency:
            latency: endpoint
            target: checkout
            threshold: 200ms
            objective: 0.95
        checks:
          p99:
            histogram-quantile: bulwark_endpoint_duration_seconds
            quantile: 0.99
            labels: {endpoint: checkout}
            below: 0.2
          no-failed-orders:
            increase: bulwark_endpoint_requests_total
            labels: {endpoint: orders, outcome: error}
            at-most: 0
        probes:
          home:
            url: http://127.0.0.1:8080/health
            expect-status: 204
            every: 50ms
            timeout: 2s
      method:
        errors:
          at: 5s
          duration: 20s
          fault: {type: http-error, status: 503}
          radius:
            points: [http-client]
            service: payments
            percent: 30
            cohort: exp-1
          ramp: {from: 10, by: 10, every: 5s, to: 30}
      rollbacks:
        reset:
          method: DELETE
          url: http://127.0.0.1:8080/admin/chaos/faults
      abort:
        burn-rate: 20
        window: 300ms
        min-events: 5
      """;

  static Experiment dsl() {
    return Experiment.builder("payments-errors")
        .description("checkout survives payment errors")
        .seed(42)
        .duration(Duration.ofSeconds(30))
        .tick(Duration.ofMillis(100))
        .budgetFloor(0.25)
        .slo(
            Slo.builder("checkout")
                .sli(Sli.endpointAvailability("checkout"))
                .objective(0.99)
                .build())
        .slo(
            Slo.builder("checkout-latency")
                .sli(Sli.endpointLatency("checkout", Duration.ofMillis(200)))
                .objective(0.95)
                .build())
        .check(
            new MetricCheck(
                "p99",
                MetricCheck.Query.HISTOGRAM_QUANTILE,
                "bulwark_endpoint_duration_seconds",
                Map.of("endpoint", "checkout"),
                0.99,
                MetricCheck.Comparison.BELOW,
                0.2))
        .check(
            new MetricCheck(
                "no-failed-orders",
                MetricCheck.Query.INCREASE,
                "bulwark_endpoint_requests_total",
                Map.of("endpoint", "orders", "outcome", "error"),
                0,
                MetricCheck.Comparison.AT_MOST,
                0))
        .probe(
            new HttpProbe(
                "home",
                URI.create("http://127.0.0.1:8080/health"),
                204,
                Duration.ofMillis(50),
                Duration.ofSeconds(2)))
        .step(
            "errors",
            Duration.ofSeconds(5),
            Duration.ofSeconds(20),
            StepFault.of("http-error", "http-client")
                .withTarget("service", "payments")
                .withPercent(30)
                .inCohort("exp-1")
                .withParam("status", "503"),
            new Ramp(10, 10, Duration.ofSeconds(5), 30))
        .rollback(
            Rollback.http(
                "reset", "DELETE", URI.create("http://127.0.0.1:8080/admin/chaos/faults")))
        .abort(new AbortRule(20, Duration.ofMillis(300), 5))
        .build();
  }

  @Test
  void yamlAndDslProduceTheSameModel() {
    Experiment y = ExperimentYaml.parse(FULL, "payments.yaml");
    Experiment d = dsl();
    assertThat(y.name()).isEqualTo(d.name());
    assertThat(y.description()).isEqualTo(d.description());
    assertThat(y.seed()).isEqualTo(d.seed());
    assertThat(y.duration()).isEqualTo(d.duration());
    assertThat(y.tick()).isEqualTo(d.tick());
    assertThat(y.budgetFloor()).isEqualTo(d.budgetFloor());
    assertThat(y.checks()).isEqualTo(d.checks());
    assertThat(y.probes()).isEqualTo(d.probes());
    assertThat(y.method()).isEqualTo(d.method());
    assertThat(y.rollbacks()).isEqualTo(d.rollbacks());
    assertThat(y.abort()).isEqualTo(d.abort());
    assertThat(y.slos()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(y.slos().get(i).name()).isEqualTo(d.slos().get(i).name());
      assertThat(y.slos().get(i).sli()).isEqualTo(d.slos().get(i).sli());
      assertThat(y.slos().get(i).objective()).isEqualTo(d.slos().get(i).objective());
    }
    assertThat(y.method().get(0).stages())
        .extracting(s -> s.fault().percent())
        .containsExactly(10.0, 20.0, 30.0);
  }

  @Test
  void defaultsAreTheDslDefaults() {
    Experiment e =
        ExperimentYaml.parse(
            """
            name: small
            duration: 10s
            steady-state:
              slos:
                api: {availability: dependency, target: api}
            """,
            "small.yaml");
    Experiment d =
        Experiment.builder("small")
            .duration(Duration.ofSeconds(10))
            .slo(Slo.builder("api").sli(Sli.dependencyAvailability("api")).build())
            .build();
    assertThat(e.tick()).isEqualTo(d.tick());
    assertThat(e.abort()).isEqualTo(d.abort());
    assertThat(e.seed()).isEqualTo(d.seed());
    assertThat(e.slos().get(0).objective()).isEqualTo(d.slos().get(0).objective());
    assertThat(e.method()).isEmpty();
  }

  static List<String> problems(String yaml) {
    Throwable t = null;
    try {
      ExperimentYaml.parse(yaml, "bad.yaml");
    } catch (ConfigException e) {
      t = e;
    }
    assertThat(t).as("the file must be rejected").isInstanceOf(ConfigException.class);
    return ((ConfigException) t).problems().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void everyProblemIsReportedAtOnceWithFileLineAndField() {
    List<String> p =
        problems(
            """
            name: bad
            duration: 10s
            steady-state:
              slos:
                api: {availability: endpoint, target: api, objective: 1.5}
            method:
              errors:
                at: 2s
                duration: 5s
                fault: {type: http-error, status: 503}
                radius:
                  points: [http-client]
                  percent: 150
              late:
                at: 8s
                duration: 5s
                fault: {type: latency, delay: 1s}
              typo:
                duration: 1s
                faults: {type: http-error}
            abort:
              burnRate: 5
            """);
    assertThat(p)
        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:5: steady-state.slos.api.objective: "))
        .anySatisfy(
            s ->
                assertThat(s)
                    .isEqualTo(
                        "bad.yaml:13: method.errors.radius.percent: fault percent must be in"
                            + " (0, 100], was 150.0"))
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith("bad.yaml:15: method.late: ")
                    .contains("ends at PT13S", "PT10S"))
        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:19: method.typo.fault: is required"))
        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:20: method.typo.faults: unknown key"))
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith("bad.yaml:22: abort.burnRate: ")
                    .contains("write \"burn-rate\""))
        .hasSize(6);
  }

  @Test
  void wrongTypesAndValuesNameTheValue() {
    List<String> p =
        problems(
            """
            name: bad
            duration: soon
            tick: 2s
            steady-state:
              checks:
                p99: {histogram-quantile: "bad metric", quantile: 0.99, below: 0.2, above: 0.1}
              probes:
                home: {url: "ftp://x/y", every: 0s}
            """);
    assertThat(p)
        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:2: duration: ").contains("soon"))
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith("bad.yaml:3: tick: ")
                    .contains("between 10ms and 250ms, was PT2S"))
        .anySatisfy(
            s ->
                assertThat(s)
                    .startsWith("bad.yaml:6: steady-state.checks.p99")
                    .contains("only one of below"))
        .anySatisfy(
            s -> assertThat(s).startsWith("bad.yaml:8: steady-state.probes.home").contains("ftp"));
  }

  @Test
  void aMissingHypothesisAndNameAreReported() {
    List<String> p = problems("duration: 10s\n");
    assertThat(p)
        .anySatisfy(s -> assertThat(s).isEqualTo("bad.yaml:1: name: is required"))
        .anySatisfy(s -> assertThat(s).isEqualTo("bad.yaml:1: steady-state: is required"));
  }

  @Test
  void theDslNamesTheBadValue() {
    assertThatThrownBy(() -> StepFault.of("http-error", "http client"))
        .hasMessageContaining("\"http client\"");
    assertThatThrownBy(() -> new Ramp(50, 10, Duration.ofSeconds(1), 20))
        .hasMessageContaining("was 20");
    assertThatThrownBy(
            () ->
                Experiment.builder("x")
                    .duration(Duration.ofSeconds(10))
                    .slo(Slo.builder("a").sli(Sli.endpointAvailability("a")).build())
                    .step(
                        "s",
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(5),
                        StepFault.of("http-error", "http-client"))
                    .build())
        .hasMessageContaining("step s ends at PT13S, after the duration PT10S");
    assertThatThrownBy(() -> Experiment.builder("x").duration(Duration.ofSeconds(1)).build())
        .hasMessageContaining("at least one slo or check");
    assertThatThrownBy(() -> Experiment.builder("x").tick(Duration.ofMillis(251)))
        .hasMessageContaining("PT0.251S");
  }
}
