package io.bulwark.runtime.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.runtime.RuntimeOptions;
import io.bulwark.runtime.ServiceInstance;
import io.bulwark.runtime.ServiceSpec;
import io.bulwark.runtime.SystemModel;
import io.bulwark.runtime.SystemRuntime;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.Step;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.http.SagaRoutes;
import io.bulwark.test.VirtualScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saga panel fed by a real bulwark-saga engine: an {@code orders} service runs an engine on
 * SQLite in its instance storage and serves its {@link SagaRoutes}; the dashboard's {@code
 * /api/sagas/runs} shows what the engine stored (a completed run, a compensated one with its failed
 * step's error and the compensation).
 */
class SagaPanelTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON = new ObjectMapper();

  record Order(String sku, boolean declined) {}

  @TempDir Path root;

  static final WorkflowDefinition<Order, String> CHECKOUT =
      WorkflowDefinition.builder(
              "checkout",
              Order.class,
              String.class,
              (wf, o) -> {
                String reservation =
                    wf.step(
                        Step.named("reserve-stock", String.class)
                            .compensate((s, r) -> {})
                            .action(s -> "r-" + o.sku()));
                return wf.step(
                    Step.named("charge-card", String.class)
                        .retry(RetryConfig.builder().maxAttempts(1).build())
                        .action(
                            s -> {
                              if (o.declined()) {
                                throw new IllegalArgumentException("card declined");
                              }
                              return reservation + " paid";
                            }));
              })
          .build();

  @Test
  void thePanelShowsTheRunsTheEngineStoredThroughItsRoutes() throws Exception {
    CompletableFuture<SagaEngine> engine = new CompletableFuture<>();
    SystemModel model =
        SystemModel.builder("shop")
            .service(
                ServiceSpec.builder(
                        "orders",
                        ctx -> {
                          SagaStore store = SagaStores.sqlite(ctx.storage().resolve("sagas.db"));
                          SagaEngine e =
                              SagaEngine.builder(store)
                                  .register(CHECKOUT)
                                  .poll(Duration.ofMillis(50))
                                  .defaultCompensationRetry(
                                      RetryConfig.builder().maxAttempts(1).build())
                                  .build();
                          SagaRoutes.register(ctx.server(), "/sagas", e);
                          engine.complete(e);
                          return ServiceInstance.of(
                              () -> {
                                e.close();
                                store.close();
                              });
                        })
                    .build())
            .build();
    try (SystemRuntime runtime =
            SystemRuntime.inProcess(model, RuntimeOptions.builder(root).systemPort(-1).build());
        HttpClient http = HttpClient.newHttpClient()) {
      runtime.start();
      SagaEngine e = engine.get(10, TimeUnit.SECONDS);
      assertThat(e.start(CHECKOUT, "o-1", new Order("pen", false)).await(WAIT))
          .isEqualTo("r-pen paid");
      assertThatThrownBy(() -> e.start(CHECKOUT, "o-2", new Order("ink", true)).await(WAIT))
          .isInstanceOf(RunFailedException.class);
      try (Dashboard d =
          Dashboard.builder(runtime)
              .scheduler(new VirtualScheduler())
              .sagas("orders", "/sagas")
              .build()
              .start()) {
        d.tick();
        JsonNode sagas = get(http, d, "/api/sagas");
        assertThat(sagas.path("available").asBoolean()).isTrue();

        JsonNode runs = get(http, d, "/api/sagas/runs?limit=10").path("runs");
        List<String> listed = new ArrayList<>();
        runs.forEach(r -> listed.add(r.path("runId").asText() + " " + r.path("status").asText()));
        assertThat(listed).containsExactlyInAnyOrder("o-1 COMPLETED", "o-2 COMPENSATED");

        JsonNode failed = get(http, d, "/api/sagas/runs/o-2");
        assertThat(failed.path("status").asText()).isEqualTo("COMPENSATED");
        List<String> steps = new ArrayList<>();
        failed
            .path("steps")
            .forEach(s -> steps.add(s.path("name").asText() + " " + s.path("status").asText()));
        assertThat(steps).containsExactly("reserve-stock COMPENSATED", "charge-card FAILED");
        assertThat(failed.path("steps").get(1).path("error").asText()).contains("card declined");
        assertThat(failed.path("timeline").size()).isPositive();
      }
    }
  }

  private static JsonNode get(HttpClient http, Dashboard d, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(d.url() + path.substring(1))).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
