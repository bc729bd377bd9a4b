package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.http.ChaosRoutes;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bulwark chaos fault start|list|clear|clear-all} against real Bulwark services on loopback
 * with the chaos admin routes: one open to loopback callers, one that requires a token, one with
 * chaos disabled. Exit 0 when done, 1 when the service refuses, 2 for bad input — and bad input
 * never reaches the service.
 */
class ChaosFaultCommandTest {
  static final String TOKEN = "s3cret-admin-token-0042";
  static Chaos chaos;
  static Chaos guarded;
  static Chaos disabled;
  static BulwarkServer server;
  static BulwarkServer tokenServer;
  static BulwarkServer disabledServer;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    chaos =
        Chaos.builder()
            .config(
                ChaosConfig.enabledDefaults().toBuilder().maxDuration(Duration.ofHours(1)).build())
            .scheduler(Scheduler.system())
            .build();
    guarded =
        Chaos.builder()
            .config(ChaosConfig.enabledDefaults().toBuilder().adminToken(TOKEN).build())
            .scheduler(Scheduler.system())
            .build();
    disabled = Chaos.builder().config(ChaosConfig.disabled()).scheduler(Scheduler.system()).build();
    server = service(chaos, "shop");
    tokenServer = service(guarded, "guarded");
    disabledServer = service(disabled, "quiet");
  }

  static BulwarkServer service(Chaos c, String name) {
    BulwarkServer.Builder b =
        BulwarkServer.builder()
            .config(ServerConfig.builder().service(name).instance(name + "-1").build())
            .get("/hello", r -> Response.text(200, "hello"))
            .get("/other", r -> Response.text(200, "other"));
    return ChaosRoutes.install(b, c).build().start();
  }

  @AfterEach
  void clear() {
    chaos.clearAll();
    guarded.clearAll();
    ChaosFaultCommand.Target.env = System::getenv;
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    tokenServer.shutdown();
    disabledServer.shutdown();
    chaos.close();
    guarded.close();
    disabled.close();
  }

  record Result(int code, String out, String err) {}

  static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("chaos", "fault"));
    all.addAll(List.of(args));
    int code =
        BulwarkCli.commandLine()
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  static String url(BulwarkServer s) {
    return "http://127.0.0.1:" + s.port();
  }

  static int get(BulwarkServer s, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url(s) + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void startListClearRoundTripActsOnTheRunningService() throws Exception {
    Result started =
        cli(
            "start",
            "--target",
            url(server),
            "--fault",
            "{type: http-error, status: 503}",
            "--radius",
            "{points: [http-server], route: /hello}",
            "--duration",
            "10m",
            "--experiment",
            "exp-cli",
            "--seed",
            "9");
    assertThat(started.code()).as(started.err()).isZero();
    ActiveFault f = chaos.active().getFirst();
    assertThat(started.out()).startsWith("started " + f.id() + " (http-error) until ");
    assertThat(f.spec().fault()).isEqualTo(new Fault.HttpError(503));
    assertThat(f.spec().radius().points()).containsExactly(FaultPointKind.HTTP_SERVER);
    assertThat(f.spec().radius().route()).isEqualTo("/hello");
    assertThat(f.spec().experiment()).isEqualTo("exp-cli");
    assertThat(f.spec().seed()).isEqualTo(9);
    assertThat(f.spec().duration()).isEqualTo(Duration.ofMinutes(10));

    assertThat(get(server, "/hello")).isEqualTo(503);
    assertThat(get(server, "/hello")).isEqualTo(503);
    assertThat(get(server, "/other")).isEqualTo(200); // outside the radius

    Result list = cli("list", "--target", url(server));
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out().lines().toList())
        .hasSize(2)
        .last()
        .asString()
        .startsWith(f.id())
        .contains("http-error", "exp-cli", f.expiresAt().toString(), " 2  ", "route=/hello");

    Result cleared = cli("clear", f.id(), "--target", url(server));
    assertThat(cleared.code()).as(cleared.err()).isZero();
    assertThat(cleared.out()).isEqualTo("cleared " + f.id() + System.lineSeparator());
    assertThat(chaos.active()).isEmpty();
    assertThat(get(server, "/hello")).isEqualTo(200);

    // the second clear of the same id: the service has no such fault
    Result again = cli("clear", f.id(), "--target", url(server));
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("no active fault " + f.id());
    assertThat(cli("list", "--target", url(server)).out()).contains("no active faults");
  }

  @Test
  void clearAllClearsEveryFaultAndSaysHowMany() {
    for (String fault : List.of("{type: latency, delay: 5ms}", "{type: blackhole}")) {
      Result r =
          cli(
              "start",
              "--target",
              url(server),
              "--fault",
              fault,
              "--radius",
              "{route: /other, percent: 50}",
              "--duration",
              "1m");
      assertThat(r.code()).as(r.err()).isZero();
    }
    assertThat(chaos.active()).hasSize(2);
    Result json = cli("list", "--json", "--target", url(server));
    assertThat(json.out().lines().toList())
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).startsWith("{\"id\":\"fault-"));
    Result r = cli("clear-all", "--target", url(server));
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("cleared 2 fault(s)");
    assertThat(chaos.active()).isEmpty();
    assertThat(cli("clear-all", "--target", url(server)).out()).contains("cleared 0 fault(s)");
  }

  @Test
  void badInputExitsTwoNamingTheValueAndSendsNothing() {
    String target = url(server);
    Map<List<String>, List<String>> cases =
        Map.of(
            List.of("--fault", "{type: http-error, status: 42}", "--duration", "1m"),
            List.of("--fault", "fault.status", "42"),
            List.of("--fault", "{type: latancy, delay: 5ms}", "--duration", "1m"),
            List.of("fault.type", "latancy"),
            List.of("--fault", "{type: latency, delay: 5ms}", "--duration", "5 parsecs"),
            List.of("--duration", "5 parsecs"),
            List.of("--fault", "{type: blackhole}", "--duration", "0s"),
            List.of("--duration", "0s"),
            List.of(
                "--fault", "{type: blackhole}", "--radius", "{percent: 150}", "--duration", "1m"),
            List.of("--radius", "percent", "150"),
            List.of(
                "--fault",
                "{type: blackhole}",
                "--radius",
                "{points: [http-sever]}",
                "--duration",
                "1m"),
            List.of("--radius", "http-sever"),
            List.of("--fault", "{type: blackhole, colour: red}", "--duration", "1m"),
            List.of("colour"),
            List.of("--fault", "[not, a, map]", "--duration", "1m"),
            List.of("--fault", "map"),
            List.of("--fault", "{type: blackhole}", "--duration", "1m", "--experiment", "a b"),
            List.of("--experiment", "a b"));
    cases.forEach(
        (args, expected) -> {
          List<String> all = new ArrayList<>(List.of("start", "--target", target));
          all.addAll(args);
          Result r = cli(all.toArray(String[]::new));
          assertThat(r.code()).as(args + " -> " + r.err()).isEqualTo(2);
          assertThat(r.err()).as(args.toString()).contains(expected);
          assertThat(r.out()).as(args.toString()).isEmpty();
        });
    assertThat(chaos.active()).isEmpty();
    assertThat(chaos.config().enabled()).isTrue();

    Result badTarget = cli("list", "--target", "ftp://127.0.0.1:1");
    assertThat(badTarget.code()).isEqualTo(2);
    assertThat(badTarget.err()).contains("--target", "ftp://127.0.0.1:1");
    Result badId = cli("clear", "../x", "--target", target);
    assertThat(badId.code()).isEqualTo(2);
    assertThat(badId.err()).contains("ID", "../x");
    // a non-loopback target needs a token; refused before any connection is tried
    Result remote = cli("list", "--target", "http://chaos.example.invalid:8080");
    assertThat(remote.code()).isEqualTo(2);
    assertThat(remote.err()).contains("chaos.example.invalid", "--token", "BULWARK_CHAOS_TOKEN");
    // a missing required option is a usage error too
    assertThat(cli("start", "--target", target, "--duration", "1m").code()).isEqualTo(2);
  }

  @Test
  void aServiceThatRefusesExitsOneWithItsMessage() {
    // chaos disabled in that service: 409 with the reason
    Result off =
        cli(
            "start",
            "--target",
            url(disabledServer),
            "--fault",
            "{type: blackhole}",
            "--duration",
            "1m");
    assertThat(off.code()).isEqualTo(1);
    assertThat(off.err()).contains("refused", "409", "chaos is disabled");
    // longer than the service's max-duration
    Result tooLong =
        cli(
            "start",
            "--target",
            url(tokenServer),
            "--token",
            TOKEN,
            "--fault",
            "{type: blackhole}",
            "--duration",
            "2h");
    assertThat(tooLong.code()).isEqualTo(1);
    assertThat(tooLong.err()).contains("409", "exceeds the maximum");
    // nothing listening: exit 1 (not a bad input), saying where
    Result down = cli("list", "--target", "http://127.0.0.1:1");
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err()).contains("127.0.0.1:1");
    assertThat(guarded.active()).isEmpty();
  }

  @Test
  void aTokenServiceTakesTheTokenFromTheOptionOrTheEnvironment() {
    Result none = cli("list", "--target", url(tokenServer));
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("401");
    Result wrong = cli("list", "--target", url(tokenServer), "--token", "guess");
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err()).contains("401");

    Result started =
        cli(
            "start",
            "--target",
            url(tokenServer),
            "--token",
            TOKEN,
            "--fault",
            "{type: latency, min: 1ms, max: 3ms}",
            "--duration",
            "1m");
    assertThat(started.code()).as(started.err()).isZero();
    assertThat(guarded.active()).hasSize(1);

    ChaosFaultCommand.Target.env = name -> name.equals("BULWARK_CHAOS_TOKEN") ? TOKEN : null;
    Result viaEnv = cli("clear-all", "--target", url(tokenServer));
    assertThat(viaEnv.code()).as(viaEnv.err()).isZero();
    assertThat(viaEnv.out()).contains("cleared 1 fault(s)");
    assertThat(guarded.active()).isEmpty();
    ChaosFaultCommand.Target.env = name -> name.equals("BULWARK_CHAOS_TOKEN") ? " " : null;
    Result blank = cli("list", "--target", url(tokenServer));
    assertThat(blank.code()).isEqualTo(2);
    assertThat(blank.err()).contains("$BULWARK_CHAOS_TOKEN", "blank");
  }
}
