package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.ShopOptions;
import io.bulwark.examples.shop.gameday.GameDay;
import io.bulwark.examples.shop.gameday.GameDayChaos;
import io.bulwark.examples.shop.gameday.GameDayListener;
import io.bulwark.examples.shop.gameday.Scenario;
import io.bulwark.examples.shop.gameday.Scenarios;
import io.bulwark.examples.shop.gameday.Step;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.runtime.RolloutResult;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.dashboard.Dashboard;
import io.bulwark.test.VirtualScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's dashboard on the real shop during the default game day (on virtual time, the kill and
 * the partition real, the rollout and the load dial recorded): every step is one timeline entry
 * with its title, in order; the runtime's own kill, partition and heal are there too; and the
 * gateway panel shows the edge's routes with the requests sent through it.
 */
class DemoDashboardGameDayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void everyStepIsOnTheTimelineAndTheGatewayPanelShowsTheEdge() throws Exception {
    VirtualScheduler scheduler = new VirtualScheduler();
    List<String> levers = new java.util.concurrent.CopyOnWriteArrayList<>();
    Scenario scenario = Scenarios.byName(Scenarios.DEFAULT);
    try (Shop shop = Shop.start(new ShopOptions(true, 7, dir, 0), new RuntimeListener() {});
        HttpClient http = HttpClient.newHttpClient();
        Dashboard d = DemoDashboard.builder(shop).scheduler(scheduler).build().start();
        Chaos chaos =
            Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build()) {
      // one request through the edge, for the gateway panel
      HttpResponse<String> products =
          http.send(
              HttpRequest.newBuilder(shop.edgeUri().resolve("/products")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(products.statusCode()).as(products.body()).isEqualTo(200);

      LinkedBlockingQueue<StepEvent> done = new LinkedBlockingQueue<>();
      GameDayChaos all =
          new GameDayChaos(
              chaos,
              shop.runtime().instanceKiller(),
              shop.runtime().partitioner(),
              (service, version, policy) -> {
                levers.add("rollout " + service + " " + version);
                return new RolloutResult(
                    service,
                    Shop.GOOD_VERSION,
                    version,
                    RolloutResult.Outcome.ROLLED_BACK,
                    "v" + version + " worse",
                    List.of());
              },
              factor -> levers.add("rate x" + factor),
              Duration.ZERO,
              new io.bulwark.examples.shop.gameday.NetworkIntruder(
                  shop.runtime()::readyEndpoints, "shop"));
      try (GameDay day =
          new GameDay(
              scenario, Duration.ofSeconds(100), shop.runtime()::instance, scheduler, all)) {
        day.addListener(DemoDashboard.of(d));
        day.addListener(
            new GameDayListener() {
              @Override
              public void onStepDone(StepEvent event) {
                done.add(event);
              }
            });
        day.start();
        Duration now = Duration.ZERO;
        for (Step step : scenario.steps()) {
          scheduler.advance(day.dueAt(step).minus(now));
          now = day.dueAt(step);
          StepEvent event = done.poll(60, TimeUnit.SECONDS);
          assertThat(event).as("step %s ran", step.title()).isNotNull();
          assertThat(event.error()).as(step.title()).isNull();
        }
      }
      d.tick();

      JsonNode timeline = get(http, d, "api/timeline");
      List<String> titles = new ArrayList<>();
      List<String> outcomes = new ArrayList<>();
      List<String> runtime = new ArrayList<>();
      for (int i = timeline.size() - 1; i >= 0; i--) { // oldest first
        JsonNode e = timeline.get(i);
        String kind = e.get("kind").asText();
        if (kind.equals(DemoDashboard.TIMELINE_KIND)) {
          (e.get("subject").asText().endsWith("outcome") ? outcomes : titles)
              .add(e.get("detail").asText());
        } else if (kind.equals("partition") || kind.equals("instance")) {
          runtime.add(e.get("subject").asText() + " " + e.get("detail").asText());
        }
      }
      assertThat(titles)
          .as("one timeline entry per step, its title: %s", timeline)
          .containsExactlyElementsOf(scenario.steps().stream().map(Step::title).toList());
      assertThat(outcomes)
          .containsExactly(
              "rolled back by the runtime: v" + Shop.BAD_PAYMENTS_VERSION + " worse",
              // the real payments, under mutual TLS, against a real intruder
              "refused: plain HTTP got no answer; a forged spiffe://shop/orders certificate got"
                  + " no answer");
      assertThat(runtime)
          .as("the runtime's own events: %s", timeline)
          .anyMatch(s -> s.startsWith("inventory-2 killed"))
          .anyMatch(s -> s.contains("partitioned") && s.contains("recommendations"))
          .anyMatch(s -> s.contains("healed") && s.contains("recommendations"))
          .anyMatch(s -> s.startsWith("inventory-2 ready"));
      assertThat(levers)
          .containsExactly(
              "rollout payments " + Shop.BAD_PAYMENTS_VERSION,
              "rate x2.0",
              "rate x1.0",
              "rate x1.0");

      JsonNode gateway = get(http, d, "api/gateway");
      assertThat(gateway.get("available").asBoolean()).as(gateway.toString()).isTrue();
      JsonNode edge = gateway.get("list").get(0);
      assertThat(edge.get("name").asText()).isEqualTo("edge");
      assertThat(edge.path("error").isMissingNode()).as(edge.toString()).isTrue();
      long requests = 0;
      for (JsonNode route : edge.get("routes")) {
        requests += route.get("requests").asLong();
      }
      assertThat(requests).as(edge.toString()).isPositive();
    }
  }

  private static JsonNode get(HttpClient http, Dashboard d, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(d.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
