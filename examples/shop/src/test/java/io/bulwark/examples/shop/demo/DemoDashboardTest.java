package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interactive demo run serves the runtime's dashboard: its URL is printed, and while the game
 * day runs the dashboard shows the shop's measured call edges, the game day's chaos fault and
 * instance kill, and the orders service's saga runs; it is gone when the run ends.
 */
class DemoDashboardTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void anInteractiveRunServesTheDashboardWithTheShopsLiveData() throws Exception {
    DemoOptions options =
        DemoOptions.builder()
            .duration(Duration.ofSeconds(10))
            .warmup(Duration.ZERO)
            .rate(40)
            .seed(5)
            .headless(false)
            .reportDir(dir.resolve("report"))
            .build();
    CompletableFuture<String> url = new CompletableFuture<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    OutputStream lines =
        new OutputStream() {
          private final ByteArrayOutputStream line = new ByteArrayOutputStream();

          @Override
          public synchronized void write(int b) {
            all.write(b);
            if (b != '\n') {
              line.write(b);
              return;
            }
            String l = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (l.startsWith("dashboard: ")) {
              url.complete(l.substring("dashboard: ".length(), l.indexOf(' ', 11)));
            }
          }
        };
    PrintStream out = new PrintStream(lines, true, StandardCharsets.UTF_8);
    try (var exec = Executors.newVirtualThreadPerTaskExecutor();
        HttpClient http = HttpClient.newHttpClient()) {
      CompletableFuture<RunResult> run =
          CompletableFuture.supplyAsync(
              () -> Demo.runOnce(options, true, dir.resolve("run"), out, new RunControl()), exec);
      String base = url.get(120, TimeUnit.SECONDS);
      assertThat(base).startsWith("http://127.0.0.1:");

      HttpResponse<Stream<String>> stream =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "api/stream")).build(),
              HttpResponse.BodyHandlers.ofLines());
      Iterator<String> it = stream.body().iterator();
      // read snapshots until the game day's fault, its kill and measured calls have all been shown
      CompletableFuture<JsonNode> seen =
          CompletableFuture.supplyAsync(
              () -> {
                boolean fault = false;
                boolean killed = false;
                boolean edge = false;
                int snapshots = 0;
                while (it.hasNext()) {
                  String l = it.next();
                  if (!l.startsWith("data: ")) {
                    continue;
                  }
                  snapshots++;
                  JsonNode s;
                  try {
                    s = JSON.readTree(l.substring(6));
                  } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                  }
                  if (s.path("faults").path("active").size() > 0) {
                    fault = true;
                  }
                  for (JsonNode e : s.path("timeline")) {
                    if (e.get("subject").asText().equals("inventory-2")
                        && e.get("detail").asText().startsWith("killed")) {
                      killed = true;
                    }
                  }
                  for (JsonNode e : s.path("topology").path("edges")) {
                    if (e.get("from").asText().equals("orders") && e.path("rps").asDouble() > 0) {
                      edge = true;
                    }
                  }
                  if (fault && killed && edge) {
                    return s;
                  }
                }
                throw new AssertionError(
                    "stream ended after "
                        + snapshots
                        + " snapshots; fault "
                        + fault
                        + ", killed "
                        + killed
                        + ", edge "
                        + edge);
              },
              exec);
      JsonNode snapshot = seen.get(120, TimeUnit.SECONDS);
      assertThat(snapshot.path("system").path("name").asText()).isNotEmpty();
      HttpResponse<String> runs =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "api/sagas/runs?limit=5")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(runs.statusCode()).as(runs.body()).isEqualTo(200);
      assertThat(JSON.readTree(runs.body()).get("runs").size()).isPositive();
      stream.body().close();

      run.get(180, TimeUnit.SECONDS);
      int port = URI.create(base).getPort();
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .isInstanceOf(ConnectException.class);
    }
    assertThat(all.toString(StandardCharsets.UTF_8)).contains("dashboard: http://127.0.0.1:");
  }
}
