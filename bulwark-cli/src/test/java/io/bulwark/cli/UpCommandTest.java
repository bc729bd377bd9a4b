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
import java.util.concurrent.atomic.AtomicReference;
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
      return ServiceInstance.none();
    }
  }

  @Test
  void upStartsTheFilesSystemPrintsInstancesAndStopsCleanly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sys.yaml");
    Files.writeString(
        file,
        """
        system: hello
        services:
          hi: {factory: %s, instances: 2, zones: [east, west]}
        """
            .formatted(Hi.class.getName()));
    CompletableFuture<String> running = new CompletableFuture<>();
    Writer out =
        new StringWriter() {
          @Override
          public void flush() {
            if (toString().contains("running; Ctrl-C stops it")) {
              running.complete(toString());
            }
          }
        };
    CommandLine cli = cli(out, new StringWriter());
    AtomicReference<String> dashboardUrl = new AtomicReference<>("");
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> cli.execute("up", file.toString(), "--data", dir.resolve("data").toString()));
    String started = running.get(60, TimeUnit.SECONDS);
    assertThat(started)
        .contains("hi-1")
        .contains("zone east")
        .contains("hi-2")
        .contains("zone west");
    Matcher m = Pattern.compile("hi-2 .*http://127.0.0.1:(\\d+)").matcher(started);
    assertThat(m.find()).isTrue();
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1) + "/hi")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).isEqualTo("hi from hi-2");
      Matcher d = Pattern.compile("dashboard: (http://127.0.0.1:\\d+/)").matcher(started);
      assertThat(d.find()).as(started).isTrue();
      HttpResponse<String> topology =
          http.send(
              HttpRequest.newBuilder(URI.create(d.group(1) + "api/topology")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(topology.statusCode()).isEqualTo(200);
      assertThat(topology.body()).contains("\"hi\"").contains("hi-1").contains("hi-2");
      dashboardUrl.set(d.group(1));
    }
    UpCommand command = cli.getSubcommands().get("up").getCommand();
    command.stop.countDown();
    assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString()).endsWith("stopped\n");
    try (HttpClient http = HttpClient.newHttpClient()) {
      assertThatThrownBy(
              () ->
                  http.send(
                      HttpRequest.newBuilder(URI.create(dashboardUrl.get() + "api/topology"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString()))
          .as("the dashboard stops with the system")
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void noDashboardServesNoneAndABadDashboardPortIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sys.yaml");
    Files.writeString(
        file, "system: quiet\nservices:\n  hi: {factory: %s}\n".formatted(Hi.class.getName()));
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

    CompletableFuture<String> running = new CompletableFuture<>();
    Writer out =
        new StringWriter() {
          @Override
          public void flush() {
            if (toString().contains("running; Ctrl-C stops it")) {
              running.complete(toString());
            }
          }
        };
    CommandLine cli = cli(out, new StringWriter());
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute(
                    "up",
                    file.toString(),
                    "--no-dashboard",
                    "--data",
                    dir.resolve("data").toString()));
    String started = running.get(60, TimeUnit.SECONDS);
    assertThat(started).contains("hi-1").contains("system metrics:").doesNotContain("dashboard");
    UpCommand command = cli.getSubcommands().get("up").getCommand();
    command.stop.countDown();
    assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void anInvalidFileIsAUsageErrorListingProblemsWithLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        system: s
        services:
          a: {factory: %s, depends-on: [nowhere]}
        """
            .formatted(Hi.class.getName()));
    StringWriter err = new StringWriter();
    assertThat(cli(new StringWriter(), err).execute("up", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("bad.yaml:3: services.a.depends-on: unknown service nowhere");
    StringWriter missing = new StringWriter();
    assertThat(cli(new StringWriter(), missing).execute("up", dir.resolve("x.yaml").toString()))
        .isEqualTo(2);
    assertThat(missing.toString()).contains("x.yaml: no such file");
  }

  private static CommandLine cli(Writer out, Writer err) {
    CommandLine cli = BulwarkCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }
}
