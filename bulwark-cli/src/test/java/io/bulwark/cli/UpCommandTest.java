package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceFactory;
import io.bulwark.runtime.ServiceInstance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UpCommandTest {

  /** A service for the system file: answers {@code GET /hi}. */
  public static final class Hi implements ServiceFactory {
    public Hi() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) {
      ctx.server().get("/hi", req -> Response.text(200, "hi from " + ctx.instanceId()));
      ctx.server().get("/no", req -> Response.text(500, "no"));
      return ServiceInstance.none();
    }
  }

  @Test
  void upStartsTheFilesSystemPrintsInstancesAndStopsCleanly(@TempDir Path dir) throws Exception {
    Path file =
        write(
            dir.resolve("sys.yaml"),
            """
            system: hello
            services:
              hi: {factory: %s, instances: 2, zones: [east, west]}
            """);
    Running up = Running.start(file, "--data", dir.resolve("data").toString());
    assertThat(up.started())
        .contains("hi-1")
        .contains("zone east")
        .contains("hi-2")
        .contains("zone west");
    String dashboardUrl = up.dashboardUrl();
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r = get(http, "http://127.0.0.1:" + up.port("hi-2") + "/hi");
      assertThat(r.body()).isEqualTo("hi from hi-2");
      HttpResponse<String> topology = get(http, dashboardUrl + "api/topology");
      assertThat(topology.statusCode()).isEqualTo(200);
      assertThat(topology.body()).contains("\"hi\"").contains("hi-1").contains("hi-2");
    }
    assertThat(up.stop()).isZero();
    assertThat(up.out().toString()).endsWith("stopped\n");
    try (HttpClient http = HttpClient.newHttpClient()) {
      assertThatThrownBy(() -> get(http, dashboardUrl + "api/topology"))
          .as("the dashboard stops with the system")
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void noDashboardServesNoneAndABadDashboardPortIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sys.yaml");
    write(file, "system: quiet\nservices:\n  hi: {factory: %s}\n");
    for (String bad : List.of("-1", "65536")) {
      StringWriter err = new StringWriter();
      assertThat(
              cli(new StringWriter(), err).execute("up", file.toString(), "--dashboard-port", bad))
          .isEqualTo(2);
      assertThat(err.toString())
          .contains("up: --dashboard-port must be 0..65535 (0: any free port), was " + bad);
    }
    StringWriter both = new StringWriter();
    assertThat(
            cli(new StringWriter(), both)
                .execute("up", file.toString(), "--dashboard-port", "0", "--no-dashboard"))
        .isEqualTo(2);
    assertThat(both.toString())
        .contains("--dashboard-port 0 and --no-dashboard exclude each other");

    Running up = Running.start(file, "--no-dashboard", "--data", dir.resolve("data").toString());
    assertThat(up.started())
        .contains("hi-1")
        .contains("system metrics:")
        .doesNotContain("dashboard");
    assertThat(up.stop()).isZero();
  }

  @Test
  void anInvalidFileIsAUsageErrorListingProblemsWithLines(@TempDir Path dir) throws Exception {
    Path file =
        write(
            dir.resolve("bad.yaml"),
            """
            system: s
            services:
              a: {factory: %s, depends-on: [nowhere]}
            slos:
              x: {availability: endpoint, target: GET /hi, objective: 1.5, window: 1h, alerts: {}}
            """);
    assertThat(usageError(file))
        .contains("bad.yaml:3: services.a.depends-on: unknown service nowhere")
        .contains(
            "bad.yaml:5: slos.x.objective: SLO \"x\": objective must be strictly between 0 and 1,"
                + " was 1.5");
    assertThat(usageError(dir.resolve("x.yaml"))).contains("x.yaml: no such file");
  }

  @Test
  void anSloOfTheFileShowsInTheSystemMetricsAndOnTheDashboard(@TempDir Path dir) throws Exception {
    Path file =
        write(
            dir.resolve("sys.yaml"),
            """
            system: judged
            services:
              hi: {factory: %s}
            slos:
              no-availability:
                availability: endpoint
                target: GET /no
                objective: 0.5
                window: 1h
                alerts:
                  fast: {severity: page, burn-rate: 1.5, long-window: 1h, short-window: 5m}
            """);
    Running up = Running.start(file, "--data", dir.resolve("data").toString());
    try (HttpClient http = HttpClient.newHttpClient()) {
      int port = up.port("hi-1");
      for (int i = 0; i < 4; i++) {
        assertThat(get(http, "http://127.0.0.1:" + port + "/no").statusCode()).isEqualTo(500);
      }
      // every answer bad against a 50 % budget: burn rate 2, budget 1 - 1 / 0.5 = -1 left
      String metrics =
          awaitBody(
              http,
              up.metricsUrl(),
              "bulwark_slo_burn_rate{slo=\"no-availability\",window=\"1h\"} 2\n");
      assertThat(metrics)
          .contains("# TYPE bulwark_slo_error_budget_remaining gauge")
          .contains("bulwark_slo_error_budget_remaining{slo=\"no-availability\"} -1\n")
          .contains("bulwark_slo_burn_rate{slo=\"no-availability\",window=\"5m\"} 2\n");
      String slos = awaitBody(http, up.dashboardUrl() + "api/slos", "page-1h-5m");
      assertThat(slos).contains("no-availability");
    }
    assertThat(up.stop()).isZero();
  }

  /** What {@code up FILE} prints on its error stream, asserting that it exits 2 (a usage error). */
  private static String usageError(Path file) {
    StringWriter err = new StringWriter();
    assertThat(cli(new StringWriter(), err).execute("up", file.toString())).isEqualTo(2);
    return err.toString();
  }

  /**
   * Writes {@code yaml} to {@code file}, its {@code %s} the factory {@link Hi}; returns the file.
   */
  private static Path write(Path file, String yaml) throws java.io.IOException {
    return Files.writeString(file, yaml.formatted(Hi.class.getName()));
  }

  /** A body of {@code url} that contains {@code text}, polled until it does (30 s at most). */
  private static String awaitBody(HttpClient http, String url, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      String body = get(http, url).body();
      if (body.contains(text) || System.nanoTime() > deadline) {
        assertThat(body).as("%s within 30 s", url).contains(text);
        return body;
      }
      Thread.onSpinWait();
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code bulwark up FILE ARGS} running on another thread, once it printed that it runs. */
  private record Running(
      CommandLine cli, StringWriter out, CompletableFuture<Integer> exit, String started) {
    static Running start(Path file, String... args) throws Exception {
      CompletableFuture<String> running = new CompletableFuture<>();
      StringWriter out =
          new StringWriter() {
            @Override
            public void flush() {
              if (toString().contains("running; Ctrl-C stops it")) {
                running.complete(toString());
              }
            }
          };
      CommandLine cli = UpCommandTest.cli(out, new StringWriter());
      List<String> line = new java.util.ArrayList<>(List.of("up", file.toString()));
      line.addAll(List.of(args));
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(() -> cli.execute(line.toArray(String[]::new)));
      return new Running(cli, out, exit, running.get(60, TimeUnit.SECONDS));
    }

    /** The printed port of {@code instance}. */
    int port(String instance) {
      Matcher m = Pattern.compile(instance + " .*http://127.0.0.1:(\\d+)").matcher(started);
      assertThat(m.find()).as(started).isTrue();
      return Integer.parseInt(m.group(1));
    }

    /** The printed dashboard URL, ending in {@code /}. */
    String dashboardUrl() {
      Matcher d = Pattern.compile("dashboard: (http://127.0.0.1:\\d+/)").matcher(started);
      assertThat(d.find()).as(started).isTrue();
      return d.group(1);
    }

    /** The printed system metrics URL. */
    String metricsUrl() {
      Matcher d =
          Pattern.compile("system metrics: (http://127.0.0.1:\\d+/metrics)").matcher(started);
      assertThat(d.find()).as(started).isTrue();
      return d.group(1);
    }

    /** Stops it as Ctrl-C would; its exit code. */
    int stop() throws Exception {
      UpCommand command = cli.getSubcommands().get("up").getCommand();
      command.stop.countDown();
      return exit.get(60, TimeUnit.SECONDS);
    }
  }

  private static CommandLine cli(Writer out, Writer err) {
    CommandLine cli = BulwarkCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }
}
