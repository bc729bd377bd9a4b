package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.experiment.ExperimentResult;
import io.bulwark.chaos.http.ChaosRoutes;
import io.bulwark.chaos.report.ExperimentReport;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark chaos run FILE} against a small in-process Bulwark service on loopback with the
 * chaos admin routes: faults go through the admin endpoint, the verdict comes from the probes, the
 * exit code is 0 only when the hypothesis held. Each run lasts 3 s of real time; probes have a
 * generous timeout so that a loaded machine's pauses do not count as failures.
 */
class ChaosRunCommandTest {
  @TempDir Path dir;
  static Chaos chaos;
  static BulwarkServer server;
  static final AtomicLong served = new AtomicLong();

  /** One running service for every run, as in production. */
  @BeforeAll
  static void start() {
    chaos =
        Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(Scheduler.system()).build();
    BulwarkServer.Builder b =
        BulwarkServer.builder()
            .config(ServerConfig.builder().service("shop").instance("shop-1").build())
            .get(
                "/hello",
                r -> {
                  served.incrementAndGet();
                  return Response.text(200, "hello");
                })
            .get("/other", r -> Response.text(200, "other"));
    server = ChaosRoutes.install(b, chaos).build().start();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    chaos.close();
  }

  String experiment(String name, String route, int percent) {
    return """
        name: %s
        seed: 7
        duration: 3s
        steady-state:
          probes:
            hello: {url: "http://127.0.0.1:%d/hello", every: 20ms, timeout: 10s}
          slos:
            hello: {availability: dependency, target: hello, objective: 0.9}
        method:
          errors:
            at: 500ms
            duration: 2s
            fault: {type: http-error, status: 503}
            radius: {points: [http-server], route: "%s", percent: %d}
        abort: {burn-rate: 1000}
        """
        .formatted(name, server.port(), route, percent);
  }

  Result run(String yaml) throws Exception {
    Path file = dir.resolve("exp.yaml");
    Files.writeString(file, yaml);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        BulwarkCli.commandLine()
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(
                "chaos",
                "run",
                file.toString(),
                "--target",
                "http://127.0.0.1:" + server.port(),
                "--report-dir",
                dir.resolve("reports").toString());
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int code, String out, String err) {}

  @Test
  void aFaultThatBreaksTheHypothesisExitsOneWithTheVerdictAndTheReport() throws Exception {
    Result r = run(experiment("hello-errors", "/hello", 100));
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out()).contains("VERDICT FAILED: hello did not hold");
    ExperimentResult json =
        ExperimentReport.readJson(Files.readString(dir.resolve("reports/hello-errors.json")));
    ExperimentResult.CheckResult c = json.check("hello");
    // 2 s of 3 s answered 503: about two thirds of the probes were bad, measured from the probes
    // (loose bounds: real time on a shared machine)
    assertThat(c.total()).isGreaterThan(20);
    assertThat(1 - c.measured()).isBetween(0.2, 0.95);
    assertThat(json.faults())
        .singleElement()
        .satisfies(w -> assertThat(w.step()).isEqualTo("errors"));
    assertThat(dir.resolve("reports/hello-errors.html")).isRegularFile();
    assertThat(chaos.active()).isEmpty(); // expired or cleared
  }

  @Test
  void aFaultOutsideTheProbedRouteHoldsAndExitsZero() throws Exception {
    Result r = run(experiment("other-errors", "/other", 100));
    assertThat(r.code())
        .as(r.out() + r.err() + Files.readString(dir.resolve("reports/other-errors.json")))
        .isZero();
    assertThat(r.out()).contains("VERDICT HELD: hypothesis held");
    ExperimentResult json =
        ExperimentReport.readJson(Files.readString(dir.resolve("reports/other-errors.json")));
    assertThat(json.check("hello").measured()).isGreaterThanOrEqualTo(0.9);
    assertThat(json.check("hello").total()).isGreaterThan(20);
    assertThat(json.events()).anySatisfy(e -> assertThat(e.lane()).isEqualTo("fault"));
  }

  @Test
  void aFaultTheChaosParserRefusesIsAnInvalidFileAndNothingIsInjected() throws Exception {
    Result r = run(experiment("bad-status", "/hello", 100).replace("status: 503", "status: 42"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("exp.yaml:").contains("method.errors").contains("fault.status");
    assertThat(r.out()).doesNotContain("VERDICT");
    assertThat(chaos.active()).isEmpty();
  }

  @Test
  void anInvalidFileExitsTwoWithFileLineErrors() throws Exception {
    Result r = run(experiment("bad", "/hello", 150).replace("duration: 3s", "duration: 3 parsecs"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("exp.yaml:3: duration: ")
        .contains(
            "exp.yaml:14: method.errors.radius.percent: fault percent must be in (0, 100], was 150.0");
    assertThat(r.out()).doesNotContain("VERDICT");
  }
}
