package io.bulwark.chaos.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerConfig;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The admin routes over real HTTP: list/start/clear, access rules and bad input. */
class ChaosRoutesTest {
  private static final String TOKEN = "s3cret-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx = Vertx.vertx();
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final HttpClient http = HttpClient.newHttpClient();
  private @Nullable Chaos chaos;
  private @Nullable BulwarkServer server;

  @AfterEach
  void close() {
    if (chaos != null) {
      chaos.close();
    }
    if (server != null) {
      server.shutdown();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
    http.close();
  }

  private int serve(ChaosConfig config, String host) {
    chaos = Chaos.builder().config(config).scheduler(scheduler).build();
    BulwarkServer.Builder b =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .config(ServerConfig.builder().host(host).build());
    server = ChaosRoutes.install(b, chaos).build().start();
    return server.port();
  }

  private HttpResponse<String> send(
      String method,
      String host,
      int port,
      String path,
      @Nullable String body,
      @Nullable String token)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> local(String method, int port, String path, @Nullable String body)
      throws Exception {
    return send(method, "127.0.0.1", port, path, body, null);
  }

  @Test
  void startListClearAndClearAllOverLoopbackWithoutAToken() throws Exception {
    int port = serve(ChaosConfig.enabledDefaults(), "127.0.0.1");
    HttpResponse<String> started =
        local(
            "POST",
            port,
            "/chaos/faults",
            "{\"fault\": {\"type\": \"http-error\", \"status\": 503},"
                + " \"radius\": {\"points\": [\"http-server\"], \"route\": \"/orders/*\","
                + " \"percent\": 30, \"cohort\": \"exp-1\"},"
                + " \"duration\": \"5m\", \"experiment\": \"exp-1\", \"seed\": 7}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String id = JSON.readTree(started.body()).get("id").asText();
    var active = chaos.get(id).orElseThrow();
    assertThat(active.spec().fault()).isEqualTo(new Fault.HttpError(503));
    assertThat(active.spec().radius().points()).containsExactly(FaultPointKind.HTTP_SERVER);
    assertThat(active.spec().radius().percent()).isEqualTo(30);
    assertThat(active.spec().radius().cohort()).isEqualTo("exp-1");
    assertThat(active.spec().seed()).isEqualTo(7);
    assertThat(active.expiresAt()).isEqualTo(active.startedAt().plus(Duration.ofMinutes(5)));

    // a latency fault on every route: the admin routes themselves are never faulted
    local(
        "POST",
        port,
        "/chaos/faults",
        "{\"fault\": {\"type\": \"latency\", \"min\": \"10ms\", \"max\": \"20ms\"}, \"duration\": \"1m\"}");
    JsonNode list = JSON.readTree(local("GET", port, "/chaos/faults", null).body()).get("faults");
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("id").asText()).isEqualTo(id);
    assertThat(list.get(0).get("expires-at").asText()).isEqualTo(active.expiresAt().toString());

    assertThat(local("DELETE", port, "/chaos/faults/" + id, null).statusCode()).isEqualTo(200);
    assertThat(local("DELETE", port, "/chaos/faults/" + id, null).statusCode()).isEqualTo(404);
    HttpResponse<String> all = local("DELETE", port, "/chaos/faults", null);
    assertThat(JSON.readTree(all.body()).get("cleared").asInt()).isEqualTo(1);
    assertThat(chaos.active()).isEmpty();
  }

  @Test
  void badInputGets400NamingTheFieldAndStartsNothing() throws Exception {
    int port = serve(ChaosConfig.enabledDefaults(), "127.0.0.1");
    String[][] cases = {
      {"{not json", "malformed"},
      {"[]", "(body)"},
      {"{\"duration\": \"1m\"}", "fault: is required"},
      {
        "{\"fault\": {\"type\": \"http-error\", \"status\": 200}, \"duration\": \"1m\"}",
        "fault.status"
      },
      {
        "{\"fault\": {\"type\": \"http-error\", \"status\": \"503\"}, \"duration\": \"1m\"}",
        "fault.status: expected an integer"
      },
      {
        "{\"fault\": {\"type\": \"meteor\"}, \"duration\": \"1m\"}",
        "fault.type: unknown fault type \\\"meteor\\\""
      },
      {"{\"fault\": {\"type\": \"blackhole\"}, \"duration\": \"5 minutes\"}", "duration"},
      {
        "{\"fault\": {\"type\": \"blackhole\"}, \"duration\": \"1m\", \"radius\": {\"percnt\": 5}}",
        "radius.percnt: unknown field"
      },
      {
        "{\"fault\": {\"type\": \"blackhole\"}, \"duration\": \"1m\", \"radius\": {\"percent\": 150}}",
        "radius.percent"
      },
      {
        "{\"fault\": {\"type\": \"blackhole\"}, \"duration\": \"1m\", \"radius\": {\"points\": [\"ftp\"]}}",
        "radius.points[0]"
      },
      {
        "{\"fault\": {\"type\": \"slow-body\", \"bytes-per-second\": 10}, \"duration\": \"1m\", \"radius\": {\"points\": [\"http-client\"]}}",
        "cannot act at http-client"
      },
      {
        "{\"fault\": {\"type\": \"exception\", \"class\": \"java.lang.Object\"}, \"duration\": \"1m\"}",
        "fault.class"
      },
    };
    for (String[] c : cases) {
      HttpResponse<String> r = local("POST", port, "/chaos/faults", c[0]);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(r.body()).as(c[0]).contains(c[1]);
    }
    assertThat(chaos.active()).isEmpty();
  }

  @Test
  void refusedByTheControllerGets409SayingWhy() throws Exception {
    int port = serve(ChaosConfig.disabled(), "127.0.0.1");
    HttpResponse<String> r =
        local(
            "POST",
            port,
            "/chaos/faults",
            "{\"fault\": {\"type\": \"blackhole\"}, \"duration\": \"1m\"}");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.body()).contains("chaos is disabled");
    assertThat(chaos.active()).isEmpty();
  }

  @Test
  void withATokenEveryCallerMustPresentIt() throws Exception {
    int port = serve(ChaosConfig.builder().enabled(true).adminToken(TOKEN).build(), "0.0.0.0");
    assertThat(send("GET", "127.0.0.1", port, "/chaos/faults", null, null).statusCode())
        .isEqualTo(401);
    assertThat(send("GET", "127.0.0.1", port, "/chaos/faults", null, TOKEN + "x").statusCode())
        .isEqualTo(401);
    assertThat(
            send("GET", "127.0.0.1", port, "/chaos/faults", null, TOKEN.substring(1)).statusCode())
        .isEqualTo(401);
    HttpResponse<String> refused =
        send(
            "POST",
            "127.0.0.1",
            port,
            "/chaos/faults",
            "{\"fault\": {\"type\": \"blackhole\"}, \"duration\": \"1m\"}",
            "wrong");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(chaos.active()).isEmpty();
    assertThat(send("GET", "127.0.0.1", port, "/chaos/faults", null, TOKEN).statusCode())
        .isEqualTo(200);
    Optional<String> remote = nonLoopbackAddress();
    if (remote.isPresent()) {
      int open = port;
      assertThat(send("GET", remote.get(), open, "/chaos/faults", null, TOKEN).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void withoutATokenRemoteCallersAreRefused() throws Exception {
    Optional<String> remote = nonLoopbackAddress();
    Assumptions.assumeTrue(remote.isPresent(), "this machine has no non-loopback IPv4 address");
    int port = serve(ChaosConfig.enabledDefaults(), "0.0.0.0");
    HttpResponse<String> r =
        send(
            "POST",
            remote.get(),
            port,
            "/chaos/faults",
            "{\"fault\": {\"type\": \"blackhole\"}, \"duration\": \"1m\"}",
            null);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("loopback");
    assertThat(chaos.active()).isEmpty();
    assertThat(local("GET", port, "/chaos/faults", null).statusCode()).isEqualTo(200);
  }

  @Test
  void publicParserGivesTheSameSpecAndNamesTheFieldOfBadInput() throws Exception {
    var spec =
        ChaosRoutes.parseFault(
            JSON.readTree(
                "{\"fault\": {\"type\": \"sql-error\", \"sql-state\": \"40001\"},"
                    + " \"radius\": {\"points\": [\"jdbc\"]}, \"duration\": \"30s\"}"));
    assertThat(spec.fault()).isEqualTo(new Fault.SqlError("40001", "injected by chaos"));
    assertThat(spec.duration()).isEqualTo(Duration.ofSeconds(30));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ChaosRoutes.parseFault(
                    JSON.readTree(
                        "{\"fault\": {\"type\": \"http-error\", \"status\": 99},"
                            + " \"duration\": \"1m\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("fault.status: ")
        .hasMessageContaining("99");
  }

  private static Optional<String> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return Optional.of(a.getHostAddress());
        }
      }
    }
    return Optional.empty();
  }
}
