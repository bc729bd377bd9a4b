package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GatewayCommandTest {

  @Test
  void checkValidatesAFileAndNamesEveryProblemWithItsLine(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(
        good,
        """
        listeners:
          public: {port: 8080}
        clusters:
          api: {endpoints: ["api.internal:80"]}
        routes:
          api:
            match: {path-prefix: /api}
            cluster: api
        """);
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        listeners:
          public: {port: 8080}
        routes:
          api:
            match: {path-prefix: api}
            cluster: nowhere
        """);

    StringWriter out = new StringWriter();
    assertThat(
            cli(out, new StringWriter()).execute("gateway", "--config", good.toString(), "--check"))
        .isZero();
    assertThat(out.toString()).contains("ok: ").contains("1 listeners, 1 clusters, 1 routes");

    StringWriter err = new StringWriter();
    assertThat(
            cli(new StringWriter(), err).execute("gateway", "--config", bad.toString(), "--check"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("bad.yaml:5: routes.api.match: path \"api\" must start with /")
        .contains("bad.yaml:6: routes.api.cluster: unknown cluster \"nowhere\"");

    StringWriter missing = new StringWriter();
    assertThat(
            cli(new StringWriter(), missing)
                .execute("gateway", "--config", dir.resolve("none.yaml").toString()))
        .isEqualTo(2);
    assertThat(missing.toString()).contains("none.yaml: no such file");
  }

  @Test
  void runsTheGatewayFromAFileUntilStopped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gw.yaml");
    Files.writeString(
        file,
        """
        listeners:
          public: {port: 0}
        clusters:
          nothing: {endpoints: ["169.254.169.254:80"]}
        routes:
          old:
            match: {path-prefix: /old}
            redirect: {to: "https://new.example.com"}
          meta:
            match: {path-prefix: /}
            cluster: nothing
        admin: {port: 0}
        """);
    CompletableFuture<String> listening = new CompletableFuture<>();
    Writer watcher =
        new StringWriter() {
          @Override
          public void flush() {
            if (toString().contains("listening on port")) {
              listening.complete(toString());
            }
          }
        };
    CommandLine cli = cli(watcher, new StringWriter());
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> cli.execute("gateway", "--config", file.toString(), "--watch", "0s"));

    String started = listening.get(60, TimeUnit.SECONDS);
    // port 0: the command prints the port the listener bound
    java.util.regex.Matcher bound =
        java.util.regex.Pattern.compile("gateway listener public listening on port (\\d+)")
            .matcher(started);
    assertThat(bound.find()).as(started).isTrue();
    int port = Integer.parseInt(bound.group(1));
    assertThat(port).isPositive();
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> redirect =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/old/a")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(redirect.statusCode()).isEqualTo(308);
    assertThat(redirect.headers().firstValue("location")).contains("https://new.example.com/old/a");
    HttpResponse<String> metadata =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/latest/meta-data"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metadata.statusCode())
        .as("the metadata address is refused by default")
        .isEqualTo(503);

    GatewayCommand command = cli.getSubcommands().get("gateway").getCommand();
    command.stop.countDown();
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
  }

  private static CommandLine cli(Writer out, Writer err) {
    CommandLine cli = BulwarkCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }
}
