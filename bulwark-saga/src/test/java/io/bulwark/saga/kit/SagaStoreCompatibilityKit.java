package io.bulwark.saga.kit;

import static io.bulwark.saga.kit.KitFixture.FAST_RETRY;
import static io.bulwark.saga.kit.KitFixture.NO_RETRY;
import static io.bulwark.saga.kit.Waits.stepOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Serdes;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepView;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of bulwark-saga that do not need a process kill, stated once against the public
 * API and passed by every saga store: {@link SqliteSagaStoreCompatibilityTest} and {@link
 * PostgresSagaStoreCompatibilityTest}. Effects are counted from the outside ({@link Effects}), so
 * "a completed step is not run again" and "compensated in reverse order" are measured. Restarts
 * close the engine and open a new engine on a new store instance over the same database. Time is
 * real (and short) where nothing waits long, and a {@link VirtualScheduler} where days pass.
 *
 * <p>The kit is one class for the stores to extend; its tests are grouped by guarantee in
 * interfaces with default test methods ({@link CompensationContract}, {@link TimeContract}, {@link
 * QueueContract}, {@link VisibilityContract}), all reaching the fixture through {@link KitAccess}.
 */
public abstract class SagaStoreCompatibilityKit
    implements KitAccess, CompensationContract, TimeContract, QueueContract, VisibilityContract {
  /** A database of one test's own; every {@link #open()} is a new store instance over it. */
  public interface Database {
    SagaStore open();
  }

  /** An empty database of this test's own. */
  protected abstract Database newDatabase() throws Exception;

  protected final KitFixture kit = new KitFixture();
  protected final Effects effects = new Effects();
  protected Database db;
  protected SagaStore store;

  @BeforeEach
  void openDatabase() throws Exception {
    db = newDatabase();
    store = kit.track(db.open());
  }

  @AfterEach
  void closeAll() throws Exception {
    kit.closeAll();
  }

  @Override
  public KitFixture kit() {
    return kit;
  }

  @Override
  public Effects effects() {
    return effects;
  }

  @Override
  public SagaStore store() {
    return store;
  }

  /** A new store instance on this test's database, closed at the end. */
  @Override
  public SagaStore reopen() {
    return kit.track(db.open());
  }

  private static String await(RunHandle<String> handle) throws Exception {
    return KitAccess.await(handle);
  }

  // ---------------------------------------------------------------- checkpoints and recovery

  @Test
  void completedStepsAreNotRunAgainWhenANewEngineRecoversTheRun() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-recover",
                String.class,
                String.class,
                (wf, in) -> {
                  String a = wf.step("a", String.class, s -> in + "-a" + effects.record("a"));
                  String b = wf.step("b", String.class, s -> a + "-b" + effects.record("b"));
                  wf.sleep("nap", Duration.ofHours(1));
                  return wf.step("c", String.class, s -> b + "-c" + effects.record("c"));
                })
            .build();
    SagaEngine first = kit.start(kit.virtual(store, time).register(def, KitFixture.MARKER));
    assertThat(first.start(def, "r-recover", "x").created()).isTrue();
    Waits.waitingAt(first, "r-recover", "nap");
    first.close();

    SagaEngine second = kit.start(kit.virtual(reopen(), time).register(def, KitFixture.MARKER));
    runMarker(second, "m-1");
    assertThat(effects.count("c")).as("c runs only when the sleep ends").isZero();
    time.advance(Duration.ofHours(1));
    RunView done = Waits.status(second, "r-recover", RunStatus.COMPLETED);

    assertThat(await(second.handle("r-recover", String.class))).isEqualTo("x-a1-b1-c1");
    assertThat(effects.count("a")).isEqualTo(1);
    assertThat(effects.count("b")).isEqualTo(1);
    assertThat(effects.count("c")).isEqualTo(1);
    assertThat(done.steps()).extracting(StepView::name).containsExactly("a", "b", "nap", "c");
    assertThat(done.steps()).extracting(StepView::index).containsExactly(0, 1, 2, 3);
    RunHandle<String> again = second.start(def, "r-recover", "y");
    assertThat(again.created()).as("a start after the restart finds the run").isFalse();
    assertThat(await(again)).isEqualTo("x-a1-b1-c1");
  }

  /**
   * Starts a trivial run on {@code engine} and waits for it: whatever the engine was going to do at
   * once (recovery, a wrongly early retry) it has had its turn to do by then.
   */
  @Override
  public void runMarker(SagaEngine engine, String id) throws Exception {
    assertThat(await(engine.start(KitFixture.MARKER, id, id))).isEqualTo(id);
  }

  @Test
  void closingTheEngineMidStepRepeatsNoCompletedStepAndLosesNothing() throws Exception {
    CountDownLatch cEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> cKeys = new CopyOnWriteArrayList<>();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-close-mid-step",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "a" + effects.record("a"));
                  wf.step("b", String.class, s -> "b" + effects.record("b"));
                  wf.step(
                      "c",
                      String.class,
                      s -> {
                        cKeys.add(s.idempotencyKey());
                        if (effects.record("c") == 1) {
                          cEntered.countDown();
                          release.await();
                        }
                        return "c";
                      });
                  return wf.step("d", String.class, s -> in + "-d" + effects.record("d"));
                })
            .build();
    SagaEngine first = kit.start(kit.real(store).register(def));
    first.start(def, "r-close", "x");
    assertThat(cEntered.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(first::close);
    release.countDown();
    closing.get(30, TimeUnit.SECONDS);

    SagaEngine second = kit.start(kit.real(reopen()).register(def));
    assertThat(await(second.handle("r-close", String.class))).isEqualTo("x-d1");
    assertThat(effects.count("a")).isEqualTo(1);
    assertThat(effects.count("b")).isEqualTo(1);
    assertThat(effects.count("d")).isEqualTo(1);
    assertThat(effects.count("c")).isBetween(1, 2);
    assertThat(cKeys).containsOnly("r-close:2:c");
  }

  // ---------------------------------------------------------------- idempotent start

  private WorkflowDefinition<String, String> echo(String name) {
    return WorkflowDefinition.builder(
            name,
            String.class,
            String.class,
            (wf, in) ->
                wf.step(
                    "effect",
                    String.class,
                    s -> {
                      effects.record(name + ":" + in);
                      return in;
                    }))
        .build();
  }

  @Test
  void startingTheSameRunIdTwiceReturnsTheExistingRun() throws Exception {
    WorkflowDefinition<String, String> def = echo("kit-idem");
    SagaEngine engine = kit.start(kit.real(store).register(def));
    RunHandle<String> first = engine.start(def, "r-idem", "first");
    RunHandle<String> second = engine.start(def, "r-idem", "second");

    assertThat(first.created()).isTrue();
    assertThat(second.created()).isFalse();
    assertThat(second.runId()).isEqualTo("r-idem");
    assertThat(await(second)).isEqualTo("first");
    RunHandle<String> third = engine.start(def, "r-idem", "third");
    assertThat(third.created()).isFalse();
    assertThat(await(third)).isEqualTo("first");
    assertThat(effects.order()).containsExactly("kit-idem:first");
    assertThat(engine.runs(io.bulwark.saga.RunQuery.all().withWorkflow("kit-idem"))).hasSize(1);
  }

  @Test
  void eightConcurrentStartsOfOneRunIdMakeOneRun() throws Exception {
    WorkflowDefinition<String, String> def = echo("kit-idem-8");
    SagaEngine engine = kit.start(kit.real(store).register(def));
    CyclicBarrier together = new CyclicBarrier(8);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<RunHandle<String>>> starts = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String input = "in-" + i;
        starts.add(
            pool.submit(
                () -> {
                  together.await(30, TimeUnit.SECONDS);
                  return engine.start(def, "r-idem-8", input);
                }));
      }
      String creatorInput = null;
      int created = 0;
      for (int i = 0; i < 8; i++) {
        RunHandle<String> h = starts.get(i).get(60, TimeUnit.SECONDS);
        assertThat(h.runId()).isEqualTo("r-idem-8");
        if (h.created()) {
          created++;
          creatorInput = "in-" + i;
        }
      }
      assertThat(created).as("exactly one start creates the run").isEqualTo(1);
      assertThat(await(engine.handle("r-idem-8", String.class))).isEqualTo(creatorInput);
      assertThat(effects.order()).containsExactly("kit-idem-8:" + creatorInput);
      assertThat(engine.runs(io.bulwark.saga.RunQuery.all().withWorkflow("kit-idem-8"))).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- exactly-once steps

  private Step<String> payment(String topic, UnaryOperator<String> after) {
    return Step.named("pay", String.class)
        .transactional()
        .retry(FAST_RETRY)
        .action(
            s -> {
              assertThat(s.transactional()).isTrue();
              KitFixture.insertRow(s.connection(), s.runId(), "attempt-" + s.attempt());
              s.outbox(OutgoingRecord.of(topic, s.runId(), "paid", Serdes.string()));
              effects.record("pay");
              return after.apply("paid-" + s.attempt());
            });
  }

  @Test
  void transactionalStepThatThrowsAfterWritingLeavesNoRowNoEventAndNoCheckpoint() throws Exception {
    KitFixture.createRows(store);
    Step<String> pay =
        Step.named("pay", String.class)
            .transactional()
            .retry(NO_RETRY)
            .action(
                s -> {
                  KitFixture.insertRow(s.connection(), s.runId(), "written");
                  s.outbox(OutgoingRecord.of("kit-pay-fail", s.runId(), "paid", Serdes.string()));
                  effects.record("pay");
                  throw new KitFixture.Fatal("failed after writing");
                });
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-tx-fail",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("before", String.class, s -> "ok");
                  return wf.step(pay);
                })
            .build();
    SagaEngine engine = kit.start(kit.real(store).register(def));
    RunHandle<String> run = engine.start(def, "r-tx-fail", "x");

    assertThatThrownBy(() -> await(run))
        .isInstanceOfSatisfying(
            RunFailedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(RunStatus.COMPENSATED);
              assertThat(e.runCause()).contains("pay");
            });
    assertThat(effects.count("pay")).as(Waits.describe(engine, "r-tx-fail")).isEqualTo(1);
    assertThat(KitFixture.rows(store, "r-tx-fail")).isEmpty();
    assertThat(KitFixture.outboxCount(store, "kit-pay-fail")).isZero();
    StepView step = stepOf(engine.run("r-tx-fail").orElseThrow(), "pay");
    assertThat(step.status()).isNotEqualTo("COMPLETED");
    assertThat(step.outputJson()).isNull();
    assertThat(step.error()).contains("failed after writing");
  }

  @Test
  void transactionalStepRetriedAfterAFailureCommitsItsRowAndEventOnce() throws Exception {
    KitFixture.createRows(store);
    Step<String> pay =
        payment(
            "kit-pay-retry",
            out -> {
              if (effects.count("pay") == 1) {
                throw new KitFixture.Boom("first attempt fails after writing");
              }
              return out;
            });
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-tx-retry", String.class, String.class, (wf, in) -> wf.step(pay))
            .build();
    SagaEngine engine = kit.start(kit.real(store).register(def));

    assertThat(await(engine.start(def, "r-tx-retry", "x"))).isEqualTo("paid-2");
    assertThat(KitFixture.rows(store, "r-tx-retry")).containsExactly("attempt-2");
    assertThat(KitFixture.outboxCount(store, "kit-pay-retry")).isEqualTo(1);
    StepView step = stepOf(engine.run("r-tx-retry").orElseThrow(), "pay");
    assertThat(step.status()).isEqualTo("COMPLETED");
    assertThat(step.attempts()).isEqualTo(2);
    assertThat(step.outputJson()).isEqualTo("\"paid-2\"");
  }

  @Test
  void transactionalStepCutByEngineCloseCommitsAllOrNothing() throws Exception {
    KitFixture.createRows(store);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Step<String> pay =
        payment(
            "kit-pay-close",
            out -> {
              if (effects.count("pay") == 1) {
                entered.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new KitFixture.Boom("interrupted by close");
                }
              }
              return out;
            });
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-tx-close",
                String.class,
                String.class,
                (wf, in) -> {
                  String paid = wf.step(pay);
                  return wf.step("after", String.class, s -> paid + "+" + effects.record("after"));
                })
            .build();
    SagaEngine first = kit.start(kit.real(store).register(def));
    first.start(def, "r-tx-close", "x");
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(first::close);
    release.countDown();
    closing.get(30, TimeUnit.SECONDS);

    SagaEngine second = kit.start(kit.real(reopen()).register(def));
    String out = await(second.handle("r-tx-close", String.class));
    List<String> rows = KitFixture.rows(store, "r-tx-close");
    assertThat(rows).as("one committed row whatever the close cut").hasSize(1);
    assertThat(out).isEqualTo("paid-" + rows.get(0).substring("attempt-".length()) + "+1");
    assertThat(KitFixture.outboxCount(store, "kit-pay-close")).isEqualTo(1);
    assertThat(effects.count("after")).isEqualTo(1);
  }

  // ---------------------------------------------------------------- at-least-once and retries

  @Test
  void atLeastOnceStepSeesTheSameIdempotencyKeyOnEveryAttempt() throws Exception {
    List<String> keys = new CopyOnWriteArrayList<>();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-key",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("first", String.class, s -> "1");
                  return wf.step(
                      "call",
                      String.class,
                      s -> {
                        keys.add(s.idempotencyKey());
                        attempts.add(s.attempt());
                        assertThat(s.stepName()).isEqualTo("call");
                        assertThat(s.stepIndex()).isEqualTo(1);
                        assertThat(s.transactional()).isFalse();
                        if (s.attempt() < 3) {
                          throw new KitFixture.Boom("downstream unavailable");
                        }
                        return s.idempotencyKey();
                      });
                })
            .build();
    SagaEngine engine = kit.start(kit.real(store).register(def));

    assertThat(await(engine.start(def, "r-key", "x"))).isEqualTo("r-key:1:call");
    assertThat(keys).containsExactly("r-key:1:call", "r-key:1:call", "r-key:1:call");
    assertThat(attempts).containsExactly(1, 2, 3);
    StepView call = stepOf(engine.run("r-key").orElseThrow(), "call");
    assertThat(call.attempts()).isEqualTo(3);
  }
}
