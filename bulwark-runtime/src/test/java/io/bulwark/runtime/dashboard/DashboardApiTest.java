package io.bulwark.runtime.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.runtime.InstanceState;
import io.bulwark.test.VirtualScheduler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's JSON API against a real running system, ticked by hand (a virtual scheduler runs
 * no tick on its own), so each assertion sees exactly the traffic sent before the tick.
 */
class DashboardApiTest {
  @TempDir static Path root;
  static TestSystem system;

  @BeforeAll
  static void startSystem() {
    system = TestSystem.start(root);
  }

  @AfterAll
  static void stopSystem() {
    system.close();
  }

  private static Dashboard dashboard() {
    return Dashboard.builder(system.runtime).scheduler(new VirtualScheduler()).build().start();
  }

  private static List<String> timeline(JsonNode snapshotTimeline) {
    List<String> out = new ArrayList<>();
    snapshotTimeline.forEach(
        e ->
            out.add(
                e.get("kind").asText()
                    + " | "
                    + e.get("subject").asText()
                    + " | "
                    + e.get("detail").asText()));
    return out;
  }

  private JsonNode routeHistory(Dashboard d, String serviceAndRoute) throws Exception {
    for (JsonNode h : system.getJson(d, "/api/red").get("routeHistory")) {
      if ((h.get("service").asText() + " " + h.get("route").asText()).equals(serviceAndRoute)) {
        return h;
      }
    }
    throw new AssertionError("no route history for " + serviceAndRoute);
  }

  @Test
  void topologyAndRedShowTheCallsMeasuredSinceThePreviousTick() throws Exception {
    try (Dashboard d = dashboard()) {
      system.callsCounted(1, "/call"); // every series exists before the interval begins
      d.tick();
      assertThat(system.callsCounted(20, "/call")).isEqualTo(20);
      assertThat(system.callsCounted(5, "/callfail")).isZero();
      d.tick();

      JsonNode topology = system.getJson(d, "/api/topology");
      JsonNode edge = null;
      for (JsonNode e : topology.get("edges")) {
        if (e.get("from").asText().equals("front") && e.get("to").asText().equals("backend")) {
          edge = e;
        }
      }
      assertThat(edge).isNotNull();
      assertThat(edge.get("measured").asBoolean()).isTrue();
      assertThat(edge.get("declared").asBoolean()).isTrue();
      assertThat(edge.get("calls").asLong()).isEqualTo(25);
      assertThat(edge.get("errorRatio").asDouble()).isEqualTo(0.2);
      assertThat(edge.get("rps").asDouble()).isPositive();
      JsonNode services = topology.get("services");
      assertThat(services).hasSize(3);
      assertThat(services.get(0).get("name").asText()).isEqualTo("backend");
      assertThat(services.get(0).get("health").asText()).isEqualTo("healthy");
      assertThat(services.get(0).get("instances")).hasSize(2);
      assertThat(services.get(1).get("rps").asDouble()).isPositive(); // front, from takeStats

      JsonNode routes = system.getJson(d, "/api/red").get("routes");
      Map<String, Long> requests = new java.util.TreeMap<>();
      Map<String, Double> errors = new java.util.TreeMap<>();
      routes.forEach(
          r -> {
            String key = r.get("service").asText() + " " + r.get("route").asText();
            requests.put(key, r.get("requests").asLong());
            errors.put(key, r.get("errorRatio").asDouble());
          });
      assertThat(requests)
          .containsEntry("front GET /call", 20L)
          .containsEntry("front GET /callfail", 5L)
          .containsEntry("backend GET /ping", 20L)
          .containsEntry("backend GET /fail", 5L);
      assertThat(errors)
          .containsEntry("front GET /callfail", 1.0)
          .containsEntry("front GET /call", 0.0);

      // the per-route chart's series: one point per tick, the last one this tick's
      JsonNode failing = routeHistory(d, "front GET /callfail");
      int points = failing.get("t").size();
      assertThat(points).isPositive();
      assertThat(failing.get("rps")).hasSize(points);
      assertThat(failing.get("errorPct").get(points - 1).asDouble()).isEqualTo(100.0);
      JsonNode call = routeHistory(d, "front GET /call");
      assertThat(call.get("rps").get(call.get("rps").size() - 1).asDouble()).isPositive();
      assertThat(call.get("errorPct").get(call.get("rps").size() - 1).asDouble()).isZero();

      // the next tick shows only what came after this one: nothing
      d.tick();
      JsonNode quiet = system.getJson(d, "/api/red").get("routes");
      quiet.forEach(r -> assertThat(r.get("requests").asLong()).isZero());
      JsonNode lull = routeHistory(d, "front GET /callfail");
      assertThat(lull.get("t")).hasSize(points + 1);
      assertThat(lull.get("rps").get(points).asDouble()).isZero();
    }
  }

  @Test
  void killFromTheApiIsDoneLoggedAndShownAndUnknownInstancesAreRefusedNamingTheField()
      throws Exception {
    try (Dashboard d = dashboard()) {
      HttpResponse<String> noHeader =
          system.send("POST", d.url() + "api/instances/backend-2/kill", "", Map.of());
      assertThat(noHeader.statusCode()).isEqualTo(403);
      assertThat(noHeader.body()).contains("x-bulwark-dashboard");
      assertThat(system.runtime.instance("backend-2").state()).isEqualTo(InstanceState.READY);

      HttpResponse<String> unknown = system.action(d, "POST", "/api/instances/backend-9/kill", "");
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(TestSystem.JSON.readTree(unknown.body()).get("field").asText())
          .isEqualTo("instance");
      assertThat(unknown.body()).contains("backend-9");
      HttpResponse<String> badAction =
          system.action(d, "POST", "/api/instances/backend-2/explode", "");
      assertThat(badAction.statusCode()).isEqualTo(400);
      assertThat(TestSystem.JSON.readTree(badAction.body()).get("field").asText())
          .isEqualTo("action");

      HttpResponse<String> kill = system.action(d, "POST", "/api/instances/backend-2/kill", "");
      assertThat(kill.statusCode()).as(kill.body()).isEqualTo(200);
      assertThat(system.runtime.instance("backend-2").state()).isEqualTo(InstanceState.KILLED);
      d.tick();
      JsonNode backend = system.getJson(d, "/api/topology").get("services").get(0);
      assertThat(backend.get("health").asText()).isEqualTo("degraded");
      assertThat(backend.get("instances").get(1).get("state").asText()).isEqualTo("KILLED");
      List<String> events = timeline(system.getJson(d, "/api/timeline"));
      assertThat(events)
          .anyMatch(e -> e.startsWith("action | instance kill | backend-2 (from 127.0.0.1)"))
          .anyMatch(e -> e.startsWith("instance | backend-2 | killed: "))
          .anyMatch(e -> e.startsWith("action | instance kill | refused 400: no instance"));

      HttpResponse<String> restart =
          system.action(d, "POST", "/api/instances/backend-2/restart", "");
      assertThat(restart.statusCode()).as(restart.body()).isEqualTo(200);
      assertThat(system.runtime.instance("backend-2").state()).isEqualTo(InstanceState.READY);
      d.tick();
      assertThat(timeline(system.getJson(d, "/api/timeline")))
          .anyMatch(e -> e.startsWith("instance | backend-2 | ready: ready v1.0.0 on port"));
    }
  }

  @Test
  void scaleFromTheApiUsesTheRuntimeAndBadCountsOrServicesAreRefusedNamingTheField()
      throws Exception {
    try (Dashboard d = dashboard()) {
      for (String[] bad :
          List.of(
              new String[] {"/api/services/backend/scale", "{\"instances\":0}", "instances"},
              new String[] {"/api/services/backend/scale", "{\"instances\":65}", "instances"},
              new String[] {"/api/services/backend/scale", "{\"instances\":1.5}", "instances"},
              new String[] {"/api/services/backend/scale", "{\"count\":2}", "instances"},
              new String[] {"/api/services/nope/scale", "{\"instances\":2}", "service"})) {
        HttpResponse<String> r = system.action(d, "POST", bad[0], bad[1]);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(TestSystem.JSON.readTree(r.body()).get("field").asText()).isEqualTo(bad[2]);
      }
      assertThat(system.runtime.instances("backend")).hasSize(2);
      HttpResponse<String> up =
          system.action(d, "POST", "/api/services/backend/scale", "{\"instances\":3}");
      assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
      assertThat(system.runtime.instances("backend")).hasSize(3);
      HttpResponse<String> down =
          system.action(d, "POST", "/api/services/backend/scale", "{\"instances\":2}");
      assertThat(down.statusCode()).as(down.body()).isEqualTo(200);
      d.tick();
      assertThat(system.getJson(d, "/api/topology").get("services").get(0).get("instances"))
          .hasSize(2);
      assertThat(timeline(system.getJson(d, "/api/timeline")))
          .anyMatch(e -> e.startsWith("action | scale | backend to 3 (from 127.0.0.1)"))
          .anyMatch(e -> e.startsWith("scale | backend | scaled: scaled 2 -> 3"))
          .anyMatch(e -> e.startsWith("scale | backend | scaled: scaled 3 -> 2"));
    }
  }

  @Test
  void faultsStartAndClearThroughTheApiAndBadSpecsGet400NamingTheField() throws Exception {
    VirtualScheduler chaosTime = new VirtualScheduler();
    try (Dashboard d = dashboard();
        Chaos chaos =
            Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(chaosTime).build()) {
      d.tick();
      JsonNode absent = system.getJson(d, "/api/faults");
      assertThat(absent.get("available").asBoolean()).isFalse();
      assertThat(absent.get("reason").asText()).isEqualTo("not in this system");
      String spec =
          "{\"fault\":{\"type\":\"http-error\",\"status\":503},"
              + "\"radius\":{\"points\":[\"http-server\"],\"service\":\"orders\"},"
              + "\"duration\":\"30s\",\"experiment\":\"dash-api\"}";
      assertThat(system.action(d, "POST", "/api/faults", spec).statusCode()).isEqualTo(409);

      d.attachChaos(chaos);
      record Bad(String body, String field) {}
      for (Bad bad :
          List.of(
              new Bad(spec.replace("503", "99"), "fault.status"),
              new Bad(spec.replace("\"30s\"", "\"soon\""), "duration"),
              new Bad(spec.replace("\"service\"", "\"servce\""), "radius.servce"),
              new Bad(spec.replace("http-error", "meteor"), "fault.type"),
              new Bad("{\"fault\":", "(body)"),
              new Bad("[1]", "(body)"))) {
        HttpResponse<String> r = system.action(d, "POST", "/api/faults", bad.body());
        assertThat(r.statusCode()).as(bad.body() + " -> " + r.body()).isEqualTo(400);
        assertThat(TestSystem.JSON.readTree(r.body()).get("field").asText())
            .as(r.body())
            .isEqualTo(bad.field());
      }
      assertThat(chaos.active()).isEmpty();

      HttpResponse<String> started = system.action(d, "POST", "/api/faults", spec);
      assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
      String id = TestSystem.JSON.readTree(started.body()).get("id").asText();
      assertThat(chaos.active()).extracting(a -> a.id()).containsExactly(id);
      d.tick();
      JsonNode faults = system.getJson(d, "/api/faults");
      assertThat(faults.get("active")).hasSize(1);
      assertThat(faults.get("active").get(0).get("experiment").asText()).isEqualTo("dash-api");
      assertThat(faults.get("active").get(0).get("fault").asText()).isEqualTo("http-error");
      assertThat(timeline(system.getJson(d, "/api/timeline")))
          .anyMatch(e -> e.startsWith("fault | " + id + " | started: "))
          .anyMatch(e -> e.startsWith("action | fault start | " + id));

      assertThat(system.action(d, "DELETE", "/api/faults/" + id, null).statusCode()).isEqualTo(200);
      HttpResponse<String> again = system.action(d, "DELETE", "/api/faults/" + id, null);
      assertThat(again.statusCode()).isEqualTo(404);
      assertThat(TestSystem.JSON.readTree(again.body()).get("field").asText()).isEqualTo("id");
      d.tick();
      assertThat(system.getJson(d, "/api/faults").get("active")).isEmpty();
      assertThat(timeline(system.getJson(d, "/api/timeline")))
          .anyMatch(e -> e.startsWith("fault | " + id + " | ended: "))
          .anyMatch(e -> e.equals("action | fault clear | " + id + " (from 127.0.0.1)"));
    }
  }

  @Test
  void absentSourcesSayNotInThisSystemAndGivenOnesShowTheirData() throws Exception {
    try (Dashboard bare = dashboard()) {
      bare.tick();
      for (String panel : List.of("topics", "sagas", "slos", "autoscaler")) {
        JsonNode p = system.getJson(bare, "/api/" + panel);
        assertThat(p.get("available").asBoolean()).as(panel).isFalse();
        assertThat(p.get("reason").asText()).as(panel).isEqualTo("not in this system");
      }
      assertThat(system.send("GET", bare.url() + "api/sagas/runs", null, Map.of()).statusCode())
          .isEqualTo(404);
    }
    try (Dashboard d =
        Dashboard.builder(system.runtime)
            .scheduler(new VirtualScheduler())
            .topics(
                () ->
                    List.of(
                        new TopicLag("orders", 1, "shipping", 120, 100),
                        new TopicLag("orders", 0, "shipping", 50, -1)))
            .slos(system.slos)
            .sagas("orders", "/sagas")
            .build()
            .start()) {
      system.callsCounted(1, "/call");
      system.evaluate();
      assertThat(system.callsCounted(20, "/callfail")).isZero();
      system.evaluate();
      d.recordDecision(
          new io.bulwark.runtime.autoscale.ScalingDecision(
              "backend", "target-tracking", 0, 0, 2, 3, "cpu 0.9 > target 0.6", Map.of()));
      d.tick();

      JsonNode topics = system.getJson(d, "/api/topics").get("list");
      assertThat(topics).hasSize(2);
      assertThat(topics.get(0).get("partition").asInt()).isZero();
      assertThat(topics.get(0).get("lag").asLong()).isEqualTo(50);
      assertThat(topics.get(1).get("lag").asLong()).isEqualTo(20);

      JsonNode slo = system.getJson(d, "/api/slos").get("list").get(0);
      assertThat(slo.get("slo").asText()).isEqualTo("front-calls-backend");
      assertThat(slo.get("firing").get(0).asText()).isEqualTo("page-10m-1m");
      assertThat(slo.get("budgetRemaining").asDouble()).isLessThan(1.0);

      JsonNode decision = system.getJson(d, "/api/autoscaler").get("decisions").get(0);
      assertThat(decision.get("to").asInt()).isEqualTo(3);
      List<String> events = timeline(system.getJson(d, "/api/timeline"));
      assertThat(events)
          .contains("alert | front-calls-backend/page-10m-1m | burn-rate alert firing")
          .anyMatch(e -> e.startsWith("scale | backend | target-tracking: 2 -> 3"));

      JsonNode runs = system.getJson(d, "/api/sagas/runs?limit=7");
      assertThat(runs.get("limit").asInt()).isEqualTo(7);
      assertThat(runs.get("runs").get(0).get("runId").asText()).isEqualTo("checkout-1");
      JsonNode run = system.getJson(d, "/api/sagas/runs/checkout-1");
      assertThat(run.get("steps").get(0).get("status").asText()).isEqualTo("COMPENSATED");
      assertThat(system.send("GET", d.url() + "api/sagas/runs/nope", null, Map.of()).statusCode())
          .isEqualTo(404);
      HttpResponse<String> badLimit =
          system.send("GET", d.url() + "api/sagas/runs?limit=0", null, Map.of());
      assertThat(badLimit.statusCode()).isEqualTo(400);
      assertThat(TestSystem.JSON.readTree(badLimit.body()).get("field").asText())
          .isEqualTo("limit");
    }
  }

  @Test
  void breakerTransitionsAppearWithTheirReasonOnceEach() throws Exception {
    try (Dashboard d = dashboard()) {
      d.tick();
      system.breaker(
          "backend-api",
          CircuitBreaker.State.CLOSED,
          CircuitBreaker.State.OPEN,
          "failure rate 60%");
      d.tick();
      d.tick();
      JsonNode breakers = system.getJson(d, "/api/breakers");
      JsonNode b = null;
      for (JsonNode n : breakers) {
        if (n.get("breaker").asText().equals("backend-api")) {
          b = n;
        }
      }
      assertThat(b).isNotNull();
      assertThat(b.get("state").asText()).isEqualTo("OPEN");
      assertThat(b.get("reason").asText()).isEqualTo("failure rate 60%");
      assertThat(timeline(system.getJson(d, "/api/timeline")))
          .filteredOn(e -> e.startsWith("breaker | front-1 backend-api"))
          .containsExactly("breaker | front-1 backend-api | now OPEN (failure rate 60%)");
      system.breaker(
          "backend-api", CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN, "wait over");
      d.tick();
      assertThat(timeline(system.getJson(d, "/api/timeline")))
          .filteredOn(e -> e.startsWith("breaker | front-1 backend-api"))
          .containsExactly(
              "breaker | front-1 backend-api | now HALF_OPEN (wait over)",
              "breaker | front-1 backend-api | now OPEN (failure rate 60%)");
    }
  }

  @Test
  void theEventStreamSendsASnapshotAtOnceAndOneAfterEachTick() throws Exception {
    try (Dashboard d = dashboard()) {
      HttpResponse<Stream<String>> r =
          system.http.send(
              HttpRequest.newBuilder(URI.create(d.url() + "api/stream")).build(),
              HttpResponse.BodyHandlers.ofLines());
      assertThat(r.headers().firstValue("content-type"))
          .hasValue("text/event-stream; charset=utf-8");
      var lines = r.body().iterator();
      CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> nextEvent(lines));
      List<String> event = first.get(10, TimeUnit.SECONDS);
      assertThat(event).contains("event: snapshot");
      String data = event.stream().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
      assertThat(TestSystem.JSON.readTree(data.substring(6)).get("system").get("name").asText())
          .isEqualTo("dash-test");
      CompletableFuture<List<String>> second =
          CompletableFuture.supplyAsync(() -> nextEvent(lines));
      d.note("note", "test", "marker-after-first-event");
      d.tick();
      assertThat(String.join("\n", second.get(10, TimeUnit.SECONDS)))
          .contains("marker-after-first-event");
      r.body().close();
    }
  }

  private static List<String> nextEvent(java.util.Iterator<String> lines) {
    List<String> out = new ArrayList<>();
    while (lines.hasNext()) {
      String l = lines.next();
      if (l.isEmpty()) {
        if (out.stream().anyMatch(x -> x.startsWith("data: "))) {
          return out;
        }
        continue;
      }
      out.add(l);
    }
    return out;
  }

  @Test
  void foreignHostHeadersOversizedBodiesAndMissingTokensAreRefused() throws Exception {
    try (Dashboard d = dashboard()) {
      assertThat(raw(d.port(), "GET /api/topology HTTP/1.1\r\nHost: evil.example\r\n\r\n"))
          .startsWith("HTTP/1.1 421");
      assertThat(
              raw(
                  d.port(),
                  "GET /api/topology HTTP/1.1\r\nHost: 127.0.0.1:" + d.port() + "\r\n\r\n"))
          .startsWith("HTTP/1.1 200");
      HttpResponse<String> big =
          system.action(d, "POST", "/api/faults", "{\"x\":\"" + "a".repeat(70_000) + "\"}");
      assertThat(big.statusCode()).isEqualTo(413);
      HttpResponse<String> page = system.send("GET", d.url(), null, Map.of());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
          .contains("script-src 'self'");
      HttpResponse<String> charts = system.send("GET", d.url() + "echarts.min.js", null, Map.of());
      assertThat(charts.statusCode()).isEqualTo(200);
      assertThat(charts.body().length()).isGreaterThan(500_000);
    }
    String token = "s3cret-token-for-the-test";
    try (Dashboard d =
        Dashboard.builder(system.runtime)
            .scheduler(new VirtualScheduler())
            .token(token)
            .build()
            .start()) {
      assertThat(system.send("GET", d.url() + "api/topology", null, Map.of()).statusCode())
          .isEqualTo(401);
      assertThat(
              system
                  .send(
                      "GET",
                      d.url() + "api/topology?token=" + token.replace('3', '4'),
                      null,
                      Map.of())
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              system
                  .send("GET", d.url() + "api/topology?token=" + token, null, Map.of())
                  .statusCode())
          .isEqualTo(200);
      // a token in the query string is not enough for a write; the bearer header is
      assertThat(
              system
                  .send("POST", d.url() + "api/instances/nope-1/kill?token=" + token, "", Map.of())
                  .statusCode())
          .isEqualTo(401);
      HttpResponse<String> withBearer =
          system.send(
              "POST",
              d.url() + "api/instances/nope-1/kill",
              "",
              Map.of("authorization", "Bearer " + token));
      assertThat(withBearer.statusCode()).isEqualTo(400); // past the door, refused as unknown
    }
    assertThatThrownBy(() -> Dashboard.builder(system.runtime).host("0.0.0.0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("token");
    assertThatThrownBy(() -> Dashboard.builder(system.runtime).token("short"))
        .hasMessageContaining("at least 16");
    assertThatThrownBy(() -> Dashboard.builder(system.runtime).sagas("nope", "/sagas"))
        .hasMessageContaining("nope");
  }

  private static String raw(int port, String request) throws Exception {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    }
  }
}
