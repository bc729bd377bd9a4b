package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Canary splits, the strangler fig and shadowing over real loopback upstreams. Shares are checked
 * against the bound stated in SplitterTest (4.5 standard deviations of the binomial count).
 */
class GatewayTrafficTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static Vertx vertx;
  static HttpServer v1;
  static HttpServer v2;
  static HttpServer prim;
  static HttpServer shadow;
  static final ConcurrentLinkedQueue<TrafficHarness.Seen> shadowSeen =
      new ConcurrentLinkedQueue<>();
  static final AtomicInteger halfShadowHits = new AtomicInteger();
  static final BlockingQueue<HttpServerRequest> held = new LinkedBlockingQueue<>();
  static int deadPort;
  static TrafficHarness.Recording telemetry = new TrafficHarness.Recording();
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    v1 = TrafficHarness.server(vertx, r -> side(r, "v1"));
    v2 = TrafficHarness.server(vertx, r -> side(r, "v2"));
    prim =
        TrafficHarness.server(
            vertx,
            r -> {
              if (r.path().endsWith("/echo")) {
                r.response().setChunked(true);
                r.pipeTo(r.response());
              } else {
                r.response()
                    .putHeader("content-type", "application/json")
                    .end("{\"n\":1,\"time\":\"A\",\"path\":\"" + r.path() + "\"}");
              }
            });
    shadow = TrafficHarness.server(vertx, GatewayTrafficTest::shadowAnswer);
    HttpServer dead = TrafficHarness.server(vertx, r -> {});
    deadPort = dead.actualPort();
    dead.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateway =
        Gateway.builder(TrafficHarness.parse(config(50))).vertx(vertx).telemetry(telemetry).start();
  }

  static void side(HttpServerRequest r, String name) {
    r.response().putHeader("x-upstream", name).end(name);
  }

  static void shadowAnswer(HttpServerRequest r) {
    if (r.path().startsWith("/half")) {
      halfShadowHits.incrementAndGet();
      r.response().end("{\"n\":1,\"time\":\"B\",\"path\":\"" + r.path() + "\"}");
      return;
    }
    r.body()
        .onSuccess(
            body -> {
              shadowSeen.add(
                  new TrafficHarness.Seen(
                      r.method().name(),
                      r.uri(),
                      io.vertx.core.MultiMap.caseInsensitiveMultiMap().addAll(r.headers()),
                      body.toString()));
              String p = r.path();
              switch (p) {
                case "/shadow/match" ->
                    r.response().end("{\"time\":\"B\",\"n\":1,\"path\":\"/shadow/match\"}");
                case "/shadow/diff" ->
                    r.response().end("{\"n\":2,\"time\":\"B\",\"path\":\"/shadow/diff\"}");
                case "/shadow/status" -> r.response().setStatusCode(500).end("{}");
                case "/shadow/hang" -> held.add(r);
                case "/shadow/echo" -> r.response().end(body);
                default -> r.response().setStatusCode(404).end();
              }
            });
  }

  static String config(double stranglerShare) {
    return """
        listeners:
          public: {port: 0}
        clusters:
          v1: {endpoints: [%s], egress-allow: [loopback]}
          v2: {endpoints: [%s], egress-allow: [loopback]}
          prim: {endpoints: [%s], egress-allow: [loopback]}
          shadow: {endpoints: [%s], egress-allow: [loopback]}
          dead: {endpoints: ["127.0.0.1:%d"], egress-allow: [loopback]}
        routes:
          canary:
            match: {path-prefix: /canary}
            split:
              weights: {v1: 90, v2: 10}
              seed: 11
              rules:
                beta: {header: x-canary, equals: "1", cluster: v2}
          sticky:
            match: {path-prefix: /sticky}
            split:
              weights: {v1: 70, v2: 30}
              sticky: {cookie: uid}
          strangler:
            match: {path-prefix: /orders}
            strangler:
              legacy: v1
              new: v2
              share: %s
              sticky: {header: x-user}
              paths: {/orders/history: 100, /orders/export: 0}
          shadowed:
            match: {path-prefix: /shadow}
            cluster: prim
            shadow: {cluster: shadow, share: 100, ignore: [/time], timeout: 30s, max-body-bytes: 1024, samples: 3}
          shadow-dead:
            match: {path-prefix: /deadshadow}
            cluster: prim
            shadow: {cluster: dead, share: 100}
          shadow-half:
            match: {path-prefix: /half}
            cluster: prim
            shadow: {cluster: shadow, share: 25, seed: 9, ignore: [/time]}
        admin: {port: 0}
        """
        .formatted(
            TrafficHarness.endpoint(v1),
            TrafficHarness.endpoint(v2),
            TrafficHarness.endpoint(prim),
            TrafficHarness.endpoint(shadow),
            deadPort,
            stranglerShare);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpResponse<String> send(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode traffic() throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminPort() + "/traffic"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static void withinBound(long count, long n, double p) {
    double sd = Math.sqrt(n * p * (1 - p));
    assertThat((double) count)
        .as("count %d of %d at p=%s (±4.5σ = ±%.1f)", count, n, p, 4.5 * sd)
        .isBetween(n * p - 4.5 * sd, n * p + 4.5 * sd);
  }

  @Test
  void aCanarySplitSendsItsShareAndCountsEveryDecisionPerBackend() throws Exception {
    int n = 1000;
    Map<String, Integer> seen = new HashMap<>();
    JsonNode before = traffic().path("canary").path("split");
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = send("/canary/item/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      seen.merge(r.body(), 1, Integer::sum);
    }
    assertThat(seen.keySet()).containsExactlyInAnyOrder("v1", "v2");
    withinBound(seen.get("v2"), n, 0.10);
    JsonNode after = traffic().path("canary").path("split");
    assertThat(after.path("v2").asLong() - before.path("v2").asLong())
        .isEqualTo(seen.get("v2").longValue());
    assertThat(after.path("v1").asLong() - before.path("v1").asLong())
        .isEqualTo(seen.get("v1").longValue());
    for (int i = 0; i < 50; i++) {
      assertThat(send("/canary/beta", "x-canary", "1").body()).isEqualTo("v2");
    }
  }

  @Test
  void aStickyUserStaysOnOneSideAndUsersSplitByTheWeights() throws Exception {
    int users = 300;
    int onV2 = 0;
    for (int u = 0; u < users; u++) {
      String cookie = "theme=dark; uid=customer-" + u;
      String first = send("/sticky/cart", "cookie", cookie).body();
      for (int k = 0; k < 2; k++) {
        assertThat(send("/sticky/page/" + k, "cookie", cookie).body())
            .as("user %d", u)
            .isEqualTo(first);
      }
      onV2 += first.equals("v2") ? 1 : 0;
    }
    withinBound(onV2, users, 0.30);
  }

  @Test
  void theStranglerSendsSubPathsWholeAndMovesUsersOnlyForwardAsTheShareGrows() throws Exception {
    try {
      for (int u = 0; u < 40; u++) {
        assertThat(send("/orders/history/" + u, "x-user", "u" + u).body()).isEqualTo("v2");
        assertThat(send("/orders/export", "x-user", "u" + u).body()).isEqualTo("v1");
      }
      int users = 200;
      Map<String, String> at50 = new HashMap<>();
      for (int u = 0; u < users; u++) {
        at50.put("u" + u, send("/orders/list", "x-user", "u" + u).body());
      }
      withinBound(at50.values().stream().filter("v2"::equals).count(), users, 0.5);
      gateway.reload(TrafficHarness.parse(config(75)));
      int moved = 0;
      for (int u = 0; u < users; u++) {
        String now = send("/orders/list", "x-user", "u" + u).body();
        if (at50.get("u" + u).equals("v2")) {
          assertThat(now).as("u%d was on the new service and must stay", u).isEqualTo("v2");
        } else if (now.equals("v2")) {
          moved++;
        }
      }
      assertThat(moved).as("some legacy users moved at 75 %").isPositive();
      gateway.reload(TrafficHarness.parse(config(100)));
      for (int u = 0; u < users; u++) {
        assertThat(send("/orders/list", "x-user", "u" + u).body()).isEqualTo("v2");
      }
    } finally {
      gateway.reload(TrafficHarness.parse(config(50)));
    }
  }

  @Test
  void aMatchingShadowIsCountedAsAMatchWithIgnoredFieldsLeftOut() throws Exception {
    HttpResponse<String> r = send("/shadow/match", "x-request-id", "corr-match-1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"time\":\"A\"");
    assertThat(telemetry.next("gateway-shadow-shadowed")).startsWith("match ");
    TrafficHarness.Seen s =
        shadowSeen.stream().filter(x -> x.uri().equals("/shadow/match")).findFirst().orElseThrow();
    assertThat(s.headers().get("bulwark-shadow")).isEqualTo("true");
    assertThat(s.headers().get("bulwark-correlation-id")).isEqualTo("corr-match-1");
  }

  @Test
  void bodyAndStatusDifferencesAreCountedAndSampledInTheAdminApi() throws Exception {
    assertThat(send("/shadow/diff").body()).contains("\"n\":1");
    assertThat(telemetry.next("gateway-shadow-shadowed")).isEqualTo("body-diff at /n: 1 vs 2");
    HttpResponse<String> r = send("/shadow/status");
    assertThat(r.statusCode()).as("the client only sees the primary").isEqualTo(200);
    assertThat(telemetry.next("gateway-shadow-shadowed"))
        .isEqualTo("status-diff status 200 vs 500");
    JsonNode sh = traffic().path("shadowed").path("shadow");
    assertThat(sh.path("counts").path("body-diff").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(sh.path("counts").path("status-diff").asLong()).isGreaterThanOrEqualTo(1);
    JsonNode samples = sh.path("samples");
    assertThat(samples.size()).isBetween(1, 3); // the ring holds 3
    // this request's sample (another test's shadow, such as a released hanging one, may have been
    // compared since: the newest sample need not be this one)
    JsonNode mine = null;
    for (JsonNode sample : samples) {
      if (sample.path("request").asText().equals("GET /shadow/status")) {
        mine = sample;
      }
    }
    assertThat(mine).as("the sample of GET /shadow/status in %s", samples).isNotNull();
    assertThat(mine.path("outcome").asText()).isEqualTo("status-diff");
    assertThat(mine.path("primary-status").asInt()).isEqualTo(200);
    assertThat(mine.path("shadow-status").asInt()).isEqualTo(500);
  }

  @Test
  void theClientIsAnsweredWhileAHangingShadowIsStillHeld() throws Exception {
    HttpResponse<String> r = send("/shadow/hang");
    // the client has its whole answer from the primary ...
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"n\":1");
    // ... while the shadow's request is still unanswered, held here
    HttpServerRequest pending = held.poll(10, TimeUnit.SECONDS);
    assertThat(pending).isNotNull();
    assertThat(telemetry.queue("gateway-shadow-shadowed"))
        .as("no outcome before the shadow answers")
        .isEmpty();
    // the shadow answers late and differently: recorded, never seen by the client
    pending.response().end("{\"n\":7,\"time\":\"B\",\"path\":\"/shadow/hang\"}");
    assertThat(telemetry.next("gateway-shadow-shadowed")).isEqualTo("body-diff at /n: 1 vs 7");
  }

  @Test
  void aShadowThatCannotBeReachedChangesNothingForTheClient() throws Exception {
    HttpResponse<String> r = send("/deadshadow/x");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"n\":1,\"time\":\"A\",\"path\":\"/deadshadow/x\"}");
    assertThat(telemetry.next("gateway-shadow-shadow-dead")).startsWith("shadow-failed ");
  }

  @Test
  void aRequestBodyIsMirroredUpToTheCapAndNotBeyond() throws Exception {
    String small = "{\"order\":42}";
    HttpResponse<String> r = post("/shadow/echo", small);
    assertThat(r.body()).isEqualTo(small);
    assertThat(telemetry.next("gateway-shadow-shadowed")).startsWith("match ");
    assertThat(
            shadowSeen.stream()
                .filter(s -> s.uri().equals("/shadow/echo"))
                .map(TrafficHarness.Seen::body))
        .containsExactly(small);
    String big = "x".repeat(4096);
    HttpResponse<String> whole = post("/shadow/echo", big);
    assertThat(whole.body()).as("the primary gets the whole body").isEqualTo(big);
    assertThat(telemetry.next("gateway-shadow-shadowed"))
        .isEqualTo(
            "skipped-body-too-large the request body exceeds the shadow's max-body-bytes 1024");
    assertThat(shadowSeen.stream().filter(s -> s.uri().equals("/shadow/echo")).count())
        .isEqualTo(1);
  }

  @Test
  void aShareOfRequestsIsMirrored() throws Exception {
    int n = 400;
    for (int i = 0; i < n; i++) {
      assertThat(send("/half/" + i).statusCode()).isEqualTo(200);
    }
    long mirrored =
        traffic().path("shadow-half").path("shadow").path("counts").path("mirrored").asLong();
    withinBound(mirrored, n, 0.25);
    for (long i = 0; i < mirrored; i++) {
      assertThat(telemetry.next("gateway-shadow-shadow-half")).startsWith("match ");
    }
    assertThat(halfShadowHits.get()).isEqualTo((int) mirrored);
  }
}
