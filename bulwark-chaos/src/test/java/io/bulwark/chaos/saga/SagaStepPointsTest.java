package io.bulwark.chaos.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.points.ChaosFixture;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.StepView;
import io.bulwark.saga.WorkflowDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The saga step points (before and after the action) on a real engine over SQLite. */
class SagaStepPointsTest {
  /** A retried failure (the engine's retry predicate below retries only this). */
  public static final class Flaky extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Flaky(String message) {
      super(message);
    }
  }

  @TempDir Path dir;
  private final ChaosFixture fx = new ChaosFixture();
  private final List<String> effects = new CopyOnWriteArrayList<>();
  private SagaStore store;
  private SagaEngine engine;
  private WorkflowDefinition<String, String> order;
  private WorkflowDefinition<String, String> audit;

  @BeforeEach
  void open() {
    order = twoSteps("order", "reserve", "charge");
    audit = twoSteps("audit", "reserve", "charge"); // same step names, other workflow
    store = SagaStores.sqlite(dir.resolve("sagas.db"));
    engine =
        SagaEngine.builder(store)
            .register(order, audit)
            .defaultStepTimeout(Duration.ofMinutes(5))
            .defaultRetry(
                RetryConfig.builder()
                    .maxAttempts(3)
                    .fixedDelay(Duration.ofMillis(1))
                    .retryOn(t -> t instanceof Flaky)
                    .build())
            .defaultCompensationRetry(
                RetryConfig.builder().maxAttempts(2).fixedDelay(Duration.ofMillis(1)).build())
            .build();
  }

  @AfterEach
  void close() {
    fx.close();
    engine.close();
    store.close();
  }

  private WorkflowDefinition<String, String> twoSteps(String name, String first, String second) {
    return WorkflowDefinition.builder(
            name,
            String.class,
            String.class,
            (wf, in) -> {
              String a =
                  wf.step(
                      first,
                      String.class,
                      s -> {
                        effects.add(name + "." + first + " " + in);
                        return "A";
                      },
                      (s, r) -> effects.add(name + ".undo-" + first + " " + in));
              String b =
                  wf.step(
                      second,
                      String.class,
                      s -> {
                        if (s.attempt() == 2 && in.startsWith("heal")) {
                          fx.chaos.clearAll(); // the retry runs without the fault
                        }
                        effects.add(name + "." + second + " " + in);
                        return "B";
                      });
              return a + b;
            })
        .build();
  }

  private static BlastRadius step(FaultPointKind kind, String workflow, String step) {
    return BlastRadius.builder().points(kind).service(workflow).route(step).build();
  }

  @Test
  void latencyBeforeTheActionDelaysItInVirtualTime() throws Exception {
    fx.start(
        Fault.Latency.of(Duration.ofSeconds(2)), step(FaultPointKind.SAGA_STEP, "order", "charge"));
    int pending = fx.scheduler.pendingTasks();
    RunHandle<String> run = engine.start(order, "o-lat", "1");
    fx.awaitPending(pending + 1);
    assertThat(effects).containsExactly("order.reserve 1"); // charge waits before its action
    fx.scheduler.advance(Duration.ofMillis(1_999));
    assertThat(effects).containsExactly("order.reserve 1");
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThat(run.await(Duration.ofSeconds(30))).isEqualTo("AB");
    assertThat(effects).containsExactly("order.reserve 1", "order.charge 1");
  }

  @Test
  void anExceptionBeforeTheActionFailsTheStepWithNoEffectAndCompensates() throws Exception {
    ActiveFault f =
        fx.start(
            new Fault.Raise(IllegalStateException.class, "card network down"),
            step(FaultPointKind.SAGA_STEP, "order", "charge"));
    RunHandle<String> run = engine.start(order, "o-err", "2");
    assertThatThrownBy(() -> run.await(Duration.ofSeconds(30)))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("card network down");
    assertThat(effects).containsExactly("order.reserve 2", "order.undo-reserve 2");
    assertThat(fx.chaos.injections(f.id())).isEqualTo(1);
  }

  @Test
  void anExceptionAfterTheActionFailsAStepWhoseEffectHappenedSoTheRetryRepeatsIt()
      throws Exception {
    ActiveFault f =
        fx.start(
            new Fault.Raise(Flaky.class, "reply lost"),
            step(FaultPointKind.SAGA_STEP_AFTER, "order", "charge"));
    RunHandle<String> run = engine.start(order, "o-after", "heal-3");
    assertThat(run.await(Duration.ofSeconds(30))).isEqualTo("AB");
    // at-least-once: the first attempt's effect happened, its failure made the engine run it again
    assertThat(effects)
        .containsExactly("order.reserve heal-3", "order.charge heal-3", "order.charge heal-3");
    StepView charge = engine.run("o-after").orElseThrow().steps().get(1);
    assertThat(charge.attempts()).isEqualTo(2);
    assertThat(fx.chaos.injections(f.id())).isEqualTo(1);
  }

  @Test
  void aBlackholeBeforeTheActionHangsTheStepUntilTheFaultEndsThenFailsItWithNoEffect()
      throws Exception {
    ActiveFault f =
        fx.start(
            new Fault.Blackhole(),
            step(FaultPointKind.SAGA_STEP, "order", "charge"),
            Duration.ofSeconds(30));
    int pending = fx.scheduler.pendingTasks();
    RunHandle<String> run = engine.start(order, "o-hole", "5");
    fx.awaitPending(pending + 1); // the hang's timer: charge is inside the blackhole
    fx.scheduler.advance(Duration.ofMillis(29_999));
    assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(effects).containsExactly("order.reserve 5"); // charge's action never started
    fx.scheduler.advance(Duration.ofMillis(1)); // the fault's end ends the hang
    assertThatThrownBy(() -> run.await(Duration.ofSeconds(30)))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("blackhole of chaos fault " + f.id());
    assertThat(effects).containsExactly("order.reserve 5", "order.undo-reserve 5");
    assertThat(fx.chaos.injections(f.id())).isEqualTo(1);
  }

  @Test
  void aBlackholeAfterTheActionLosesTheOutcomeOfAStepWhoseEffectHappened() throws Exception {
    ActiveFault f =
        fx.start(
            new Fault.Blackhole(),
            step(FaultPointKind.SAGA_STEP_AFTER, "order", "charge"),
            Duration.ofSeconds(30));
    int pending = fx.scheduler.pendingTasks();
    RunHandle<String> run = engine.start(order, "o-hole-after", "6");
    fx.awaitPending(pending + 1);
    fx.scheduler.advance(Duration.ofMillis(29_999));
    assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(effects).containsExactly("order.reserve 6", "order.charge 6"); // it happened
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> run.await(Duration.ofSeconds(30)))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("blackhole of chaos fault " + f.id());
    // the engine never saw charge succeed: the saga compensates what it knows of
    assertThat(effects)
        .containsExactly("order.reserve 6", "order.charge 6", "order.undo-reserve 6");
    assertThat(engine.run("o-hole-after").orElseThrow().status()).isEqualTo(RunStatus.COMPENSATED);
  }

  @Test
  void latencyAfterTheActionDelaysTheStepsOutcomeButNotItsEffect() throws Exception {
    ActiveFault f =
        fx.start(
            Fault.Latency.of(Duration.ofSeconds(2)),
            step(FaultPointKind.SAGA_STEP_AFTER, "order", "charge"));
    int pending = fx.scheduler.pendingTasks();
    RunHandle<String> run = engine.start(order, "o-lat-after", "7");
    fx.awaitPending(pending + 1);
    assertThat(effects).containsExactly("order.reserve 7", "order.charge 7");
    fx.scheduler.advance(Duration.ofMillis(1_999));
    assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    fx.scheduler.advance(Duration.ofMillis(1));
    assertThat(run.await(Duration.ofSeconds(30))).isEqualTo("AB");
    assertThat(effects).containsExactly("order.reserve 7", "order.charge 7"); // once
    assertThat(fx.chaos.injections(f.id())).isEqualTo(1);
  }

  @Test
  void otherWorkflowsAndStepsAreOutsideTheRadiusAndNeverFaulted() throws Exception {
    ActiveFault f =
        fx.start(
            new Fault.Raise(IllegalStateException.class, "no"),
            step(FaultPointKind.SAGA_STEP, "order", "charge"));
    for (int i = 0; i < 20; i++) {
      assertThat(engine.start(audit, "a-" + i, "x" + i).await(Duration.ofSeconds(30)))
          .isEqualTo("AB");
    }
    assertThat(effects).hasSize(40);
    assertThat(fx.chaos.injections(f.id())).isZero();
  }

  @Test
  void anExpiredFaultLeavesStepsAsBefore() throws Exception {
    fx.start(
        new Fault.Raise(IllegalStateException.class, "no"),
        step(FaultPointKind.SAGA_STEP, "order", "charge"),
        Duration.ofSeconds(10));
    fx.scheduler.advance(Duration.ofSeconds(10));
    assertThat(fx.chaos.active()).isEmpty();
    assertThat(engine.start(order, "o-exp", "4").await(Duration.ofSeconds(30))).isEqualTo("AB");
  }
}
