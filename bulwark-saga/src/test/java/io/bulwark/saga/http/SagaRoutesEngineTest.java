package io.bulwark.saga.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerListener;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.Step;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.http.Http.Answer;
import io.bulwark.saga.testing.SagaTestKit;
import io.bulwark.saga.testing.StepFaults;
import io.bulwark.test.VirtualScheduler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saga routes over loopback HTTP against the real engine on SQLite: what the routes show is
 * what the engine stored, and what they do (cancel, skip, signal) reaches the runs — a refused
 * request leaves its run as it was.
 */
class SagaRoutesEngineTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final int PAYLOAD_LIMIT = 1_024;

  record Order(String sku, int quantity, boolean declined) {}

  record Receipt(String reservation, String charge) {}

  record Approval(String by) {}

  @TempDir Path dir;
  final List<String> effects = new CopyOnWriteArrayList<>();
  SagaStore store;
  SagaEngine engine;
  BulwarkServer server;
  Http http;

  final WorkflowDefinition<Order, Receipt> order =
      WorkflowDefinition.builder(
              "order",
              Order.class,
              Receipt.class,
              (wf, o) -> {
                String reservation =
                    wf.step(
                        Step.named("reserve", String.class)
                            .compensate((s, r) -> effects.add("release " + r))
                            .action(
                                s -> {
                                  effects.add("reserve " + o.sku());
                                  return "r-" + o.sku();
                                }));
                String charge =
                    wf.step(
                        Step.named("charge", String.class)
                            .retry(RetryConfig.builder().maxAttempts(1).build())
                            .action(
                                s -> {
                                  if (o.declined()) {
                                    throw new IllegalArgumentException("card declined");
                                  }
                                  return "c-" + o.quantity();
                                }));
                return new Receipt(reservation, charge);
              })
          .build();

  final WorkflowDefinition<String, String> approval =
      WorkflowDefinition.builder(
              "approval",
              String.class,
              String.class,
              (wf, id) -> {
                wf.step(
                    Step.named("hold", String.class)
                        .compensate((s, r) -> effects.add("unhold " + r))
                        .action(s -> "h-" + id));
                wf.state().put("phase", "waiting");
                Optional<Approval> a =
                    wf.awaitSignal("wait", "approved", Approval.class, Duration.ofDays(1));
                return a.map(Approval::by).orElse("nobody");
              })
          .build();

  @BeforeEach
  void start() {
    startEngine(StepFaults.none());
  }

  private void startEngine(StepFaults faults) {
    startEngine(faults, Scheduler.system());
  }

  private void startEngine(StepFaults faults, Scheduler scheduler) {
    store = SagaStores.sqlite(dir.resolve("sagas.db"));
    engine =
        SagaEngine.builder(store)
            .register(order, approval)
            .scheduler(scheduler)
            .maxPayloadBytes(PAYLOAD_LIMIT)
            .defaultCompensationRetry(RetryConfig.builder().maxAttempts(1).build())
            .poll(Duration.ofMillis(50))
            .faults(faults)
            .build();
    server =
        SagaRoutes.register(
                BulwarkServer.builder().eventLoops(1).listener(ServerListener.none()),
                "/sagas",
                engine)
            .build()
            .start();
    http = new Http(server.port());
  }

  @AfterEach
  void stop() {
    server.shutdown();
    engine.close();
    store.close();
  }

  @Test
  void aCompletedRunIsListedAndShownWithItsStepsAsStored() throws Exception {
    engine.start(order, "o-1", new Order("pen", 2, false)).await(WAIT);

    Answer list = http.get("/sagas/runs?workflow=order&status=completed");
    Answer run = http.get("/sagas/runs/o-1");

    assertThat(list.json().path("runs").findValuesAsText("runId")).containsExactly("o-1");
    assertThat(run.status()).isEqualTo(200);
    assertThat(run.text("status")).isEqualTo("COMPLETED");
    assertThat(run.json().path("input").path("sku").asText()).isEqualTo("pen");
    assertThat(run.json().path("output").path("charge").asText()).isEqualTo("c-2");
    assertThat(run.json().path("steps").findValuesAsText("name"))
        .containsExactly("reserve", "charge");
    assertThat(run.json().path("steps").get(0).path("output").asText()).isEqualTo("r-pen");
    assertThat(run.json().path("steps").get(0).path("attempts").asInt()).isEqualTo(1);
    assertThat(run.json().path("timeline").size()).isPositive();
    assertThat(
            http.get("/sagas/runs?workflow=order&status=COMPENSATED").json().path("count").asInt())
        .isZero();
  }

  @Test
  void theListIsNewestFirstAndFiltersByCreationTimeAndStatusOnTheStore() throws Exception {
    stop();
    VirtualScheduler time = new VirtualScheduler();
    startEngine(StepFaults.none(), time);
    for (int i = 1; i <= 5; i++) {
      engine.start(order, "o-" + i, new Order("sku" + i, i, i == 4));
      SagaTestKit.awaitIdle(engine, WAIT);
      time.advance(Duration.ofMinutes(1));
    }
    Instant t0 = engine.run("o-1").orElseThrow().createdAt();

    Answer newest = http.get("/sagas/runs?workflow=order&limit=2");
    Answer window =
        http.get("/sagas/runs?from=" + t0.plusSeconds(60) + "&to=" + t0.plusSeconds(180));
    Answer compensated = http.get("/sagas/runs?status=compensated");
    Answer completed = http.get("/sagas/runs?status=COMPLETED&limit=1000");

    assertThat(newest.json().path("runs").findValuesAsText("runId")).containsExactly("o-5", "o-4");
    assertThat(window.json().path("runs").findValuesAsText("runId")).containsExactly("o-3", "o-2");
    assertThat(window.json().path("runs").get(1).path("createdAt").asText())
        .isEqualTo(t0.plusSeconds(60).toString());
    assertThat(compensated.json().path("runs").findValuesAsText("runId")).containsExactly("o-4");
    assertThat(completed.json().path("runs").findValuesAsText("runId"))
        .containsExactly("o-5", "o-3", "o-2", "o-1");
  }

  @Test
  void aCompensatedRunShowsItsCauseAndTheFailedStepsError() throws Exception {
    assertThatThrownBy(() -> engine.start(order, "o-2", new Order("ink", 1, true)).await(WAIT))
        .isInstanceOf(RunFailedException.class);

    Answer run = http.get("/sagas/runs/o-2");

    assertThat(run.text("status")).isEqualTo("COMPENSATED");
    assertThat(run.text("cause")).contains("charge");
    assertThat(run.json().path("steps").get(1).path("error").asText()).contains("card declined");
    assertThat(effects).containsExactly("reserve ink", "release r-ink");
  }

  @Test
  void aSignalSentOverHttpCompletesTheWaitingRun() throws Exception {
    var handle = engine.start(approval, "a-1", "x");
    SagaTestKit.awaitIdle(engine, WAIT); // the run waits for its signal

    Answer a = http.post("/sagas/runs/a-1/signals/approved", "{\"by\":\"ana\"}");

    assertThat(a.status()).isEqualTo(202);
    assertThat(handle.await(WAIT)).isEqualTo("ana");
    assertThat(http.get("/sagas/runs/a-1").json().path("state").path("phase").asText())
        .isEqualTo("waiting");
  }

  @Test
  void aSignalOverThePayloadLimitIsRefusedAndTheRunStillTakesTheNextOne() throws Exception {
    var handle = engine.start(approval, "a-2", "x");
    SagaTestKit.awaitIdle(engine, WAIT);
    String huge = "{\"by\":\"" + "a".repeat(PAYLOAD_LIMIT) + "\"}";

    Answer refused = http.post("/sagas/runs/a-2/signals/approved", huge);
    Answer accepted = http.post("/sagas/runs/a-2/signals/approved", "{\"by\":\"bo\"}");

    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.text("message")).contains("a-2").contains(String.valueOf(PAYLOAD_LIMIT));
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(handle.await(WAIT)).isEqualTo("bo");
    assertThat(http.get("/sagas/runs/a-2").json().path("timeline").findValuesAsText("kind"))
        .containsOnlyOnce("signal-received");
  }

  @Test
  void cancelOverHttpCompensatesAWaitingRunAndASecondCancelIsAConflict() throws Exception {
    var handle = engine.start(approval, "a-3", "x");
    SagaTestKit.awaitIdle(engine, WAIT);

    Answer cancel = http.post("/sagas/runs/a-3/cancel", "{\"reason\":\"customer called\"}");

    assertThat(cancel.status()).isEqualTo(200);
    assertThatThrownBy(() -> handle.await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .satisfies(
            e -> assertThat(((RunFailedException) e).status()).isEqualTo(RunStatus.COMPENSATED));
    assertThat(effects).contains("unhold h-x");
    assertThat(http.post("/sagas/runs/a-3/cancel").status()).isEqualTo(409);
    assertThat(http.post("/sagas/runs/a-3/retry").status()).isEqualTo(409);
  }

  @Test
  void concurrentCancelsOverHttpCompensateTheRunOnce() throws Exception {
    var handle = engine.start(approval, "a-5", "x");
    SagaTestKit.awaitIdle(engine, WAIT);
    int callers = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Integer>> answers = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < callers; i++) {
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return http.post("/sagas/runs/a-5/cancel", "{\"reason\":\"dup\"}").status();
                }));
      }
      go.countDown();
      for (Future<Integer> a : answers) {
        assertThat(a.get()).isIn(200, 409);
      }
    }

    assertThatThrownBy(() -> handle.await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .satisfies(
            e -> assertThat(((RunFailedException) e).status()).isEqualTo(RunStatus.COMPENSATED));
    assertThat(effects).containsOnlyOnce("unhold h-x");
  }

  @Test
  void aParkedRunIsSkippedOverHttpAndEndsCompensated() throws Exception {
    stop();
    startEngine(
        StepFaults.none()
            .fail(
                "order",
                "reserve",
                StepFaults.Target.COMPENSATION,
                0,
                () -> new IOException("inventory down")));
    var handle = engine.start(order, "o-3", new Order("cap", 1, true));
    assertThatThrownBy(() -> handle.await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .satisfies(e -> assertThat(((RunFailedException) e).status()).isEqualTo(RunStatus.PARKED));
    assertThat(http.get("/sagas/runs?status=PARKED").json().path("runs").findValuesAsText("runId"))
        .containsExactly("o-3");

    Answer skip = http.post("/sagas/runs/o-3/skip");

    assertThat(skip.status()).isEqualTo(200);
    assertThatThrownBy(() -> handle.await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .satisfies(
            e -> assertThat(((RunFailedException) e).status()).isEqualTo(RunStatus.COMPENSATED));
  }

  @Test
  void anExecutorWithoutADefinitionAnUnfinishedRunNeedsShowsItAsMissing() throws Exception {
    engine.start(approval, "a-4", "x");
    SagaTestKit.awaitIdle(engine, WAIT); // the run waits for its signal
    stop();
    store = SagaStores.sqlite(dir.resolve("sagas.db"));
    engine = SagaEngine.builder(store).register(order).poll(Duration.ofMillis(50)).build();
    server =
        SagaRoutes.register(
                BulwarkServer.builder().eventLoops(1).listener(ServerListener.none()),
                "/sagas",
                engine)
            .build()
            .start();
    http = new Http(server.port());

    Answer d = http.get("/sagas/definitions");

    assertThat(d.json().path("registered").toString()).isEqualTo("[\"order@1\"]");
    assertThat(d.json().path("missing").toString()).isEqualTo("[\"approval@1\"]");
    assertThat(http.get("/sagas/runs/a-4").text("status")).isEqualTo("WAITING");
  }

  @Test
  void unknownRunsAre404AndTheDefinitionsNameTheExecutor() throws Exception {
    assertThat(http.get("/sagas/runs/nope").status()).isEqualTo(404);
    assertThat(http.post("/sagas/runs/nope/signals/approved", "{}").status()).isEqualTo(404);
    assertThat(http.post("/sagas/runs/nope/cancel").status()).isEqualTo(404);

    Answer d = http.get("/sagas/definitions");

    assertThat(d.text("executorId")).isEqualTo(engine.executorId());
    assertThat(d.json().path("missing").size()).isZero();
    assertThat(d.json().path("registered").toString()).isEqualTo("[\"approval@1\",\"order@1\"]");
  }
}
