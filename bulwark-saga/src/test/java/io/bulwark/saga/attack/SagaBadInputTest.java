package io.bulwark.saga.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.resilience.RetryBudget;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.PayloadTooLargeException;
import io.bulwark.saga.QueueConfig;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.Step;
import io.bulwark.saga.UnknownRunException;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.WorkflowDefinitionException;
import io.bulwark.saga.kit.Effects;
import io.bulwark.saga.kit.KitFixture;
import io.bulwark.saga.kit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input from the outside, as an attacker or a careless caller sends it: every refusal names the
 * bad value and where it came from, and nothing is stored or lost because of it.
 */
class SagaBadInputTest {
  private static final int LIMIT = 1_000;

  @SuppressWarnings("NullAway.Init")
  @TempDir
  Path dir;

  private final KitFixture kit = new KitFixture();
  private final Effects effects = new Effects();
  private SagaStore store;

  @BeforeEach
  void open() {
    store = kit.track(SagaStores.sqlite(dir.resolve("sagas.db")));
  }

  @AfterEach
  void close() throws Exception {
    kit.closeAll();
  }

  private WorkflowDefinition<String, String> def(String name, WorkflowBody body) {
    return WorkflowDefinition.builder(name, String.class, String.class, body::run).build();
  }

  /** A workflow body (a lambda-friendly {@code Workflow<String, String>}). */
  private interface WorkflowBody {
    String run(io.bulwark.saga.WorkflowContext wf, String in) throws Exception;
  }

  private SagaEngine engine(WorkflowDefinition<?, ?>... defs) {
    return kit.start(kit.real(store).maxPayloadBytes(LIMIT).register(defs));
  }

  private static RunFailedException failure(SagaEngine engine, String runId) {
    try {
      Object out = engine.handle(runId, Object.class).await(Waits.LIMIT);
      throw new AssertionError("run " + runId + " completed with " + out);
    } catch (RunFailedException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("run " + runId + " did not end: " + e, e);
    }
  }

  // ---------------------------------------------------------------- names

  @Test
  void namesWithBadCharactersOrOverTheLengthAreRefusedNamingThem() {
    String tooLong = "s".repeat(129);
    assertThatThrownBy(() -> Step.named("reserve stock", String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("step name")
        .hasMessageContaining("'reserve stock'");
    assertThatThrownBy(() -> Step.named(tooLong, String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("129");
    assertThatThrownBy(() -> Step.named("", String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("step name");
    assertThatThrownBy(() -> def("order/saga", (wf, in) -> in))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workflow name")
        .hasMessageContaining("'order/saga'");
    assertThatThrownBy(() -> QueueConfig.of("bulk queue", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bulk queue'");
    assertThatThrownBy(() -> StartOptions.defaults().withQueue("a\nb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue");
    assertThatThrownBy(() -> StartOptions.defaults().withConcurrencyKey("k".repeat(257)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("257");
    assertThatThrownBy(() -> SagaEngine.builder(store).executorId("exec utor"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'exec utor'");
  }

  @Test
  void aBadStepNameInsideAWorkflowFailsTheRunNamingIt() throws Exception {
    WorkflowDefinition<String, String> d =
        def("kit-bad-step", (wf, in) -> wf.step("drop table;", String.class, s -> "x"));
    SagaEngine engine = engine(d);
    engine.start(d, "r-bad-step", "x");
    RunFailedException failed = failure(engine, "r-bad-step");
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("drop table;");
  }

  @Test
  void aBadSignalNameIsRefusedNamingItAndTheRunStillWaits() throws Exception {
    WorkflowDefinition<String, String> d =
        def(
            "kit-bad-signal",
            (wf, in) ->
                wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1)).orElse("-"));
    SagaEngine engine = engine(d);
    engine.start(d, "r-bad-signal", "x");
    Waits.waitingAt(engine, "r-bad-signal", "wait");
    assertThatThrownBy(() -> engine.signal("r-bad-signal", "go now", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'go now'");
    engine.signal("r-bad-signal", "go", "fine");
    assertThat(engine.handle("r-bad-signal", String.class).await(Waits.LIMIT)).isEqualTo("fine");
  }

  @Test
  void aBadStateKeyFailsTheRunNamingIt() throws Exception {
    WorkflowDefinition<String, String> d =
        def(
            "kit-bad-key",
            (wf, in) -> {
              wf.state().put("no spaces please", 1);
              return wf.step("after", String.class, s -> "after" + effects.record("after"));
            });
    SagaEngine engine = engine(d);
    engine.start(d, "r-bad-key", "x");
    assertThat(failure(engine, "r-bad-key").runCause()).contains("no spaces please");
    assertThat(effects.count("after")).isZero();
  }

  @Test
  void anEmptyRunIdIsRefused() {
    WorkflowDefinition<String, String> d = def("kit-empty-id", (wf, in) -> in);
    SagaEngine engine = engine(d);
    assertThatThrownBy(() -> engine.start(d, "", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run id");
    assertThat(engine.runs(RunQuery.all())).isEmpty();
  }

  // ---------------------------------------------------------------- duplicates and registration

  @Test
  void aDuplicateStepNameInAParallelGroupFailsTheRunNamingIt() throws Exception {
    List<Step<String>> group =
        List.of(
            Step.named("twin", String.class).action(s -> "1"),
            Step.named("twin", String.class).action(s -> "2"));
    WorkflowDefinition<String, String> d =
        def("kit-twins", (wf, in) -> String.join(",", wf.parallel(group)));
    SagaEngine engine = engine(d);
    engine.start(d, "r-twins", "x");
    RunFailedException failed = failure(engine, "r-twins");
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("twin");
  }

  @Test
  void aDefinitionRegisteredTwiceIsRefusedNamingIt() {
    WorkflowDefinition<String, String> d = def("kit-twice", (wf, in) -> in);
    WorkflowDefinition<String, String> same = def("kit-twice", (wf, in) -> in + "!");
    assertThatThrownBy(() -> SagaEngine.builder(store).register(d, same))
        .isInstanceOf(WorkflowDefinitionException.class)
        .hasMessageContaining("kit-twice@1");
    WorkflowDefinition<String, String> v2 =
        WorkflowDefinition.builder("kit-twice", String.class, String.class, (wf, in) -> in)
            .version(2)
            .build();
    SagaEngine engine = kit.start(kit.real(store).register(d, v2));
    assertThat(engine.missingDefinitions()).isEmpty();
  }

  @Test
  void startingAnUnregisteredDefinitionIsRefusedAndStoresNothing() {
    WorkflowDefinition<String, String> known = def("kit-known", (wf, in) -> in);
    WorkflowDefinition<String, String> stranger = def("kit-stranger", (wf, in) -> in);
    SagaEngine engine = engine(known);
    assertThatThrownBy(() -> engine.start(stranger, "r-stranger", "x"))
        .isInstanceOf(WorkflowDefinitionException.class)
        .hasMessageContaining("kit-stranger@1");
    assertThat(engine.run("r-stranger")).isEmpty();
  }

  @Test
  void aQueueThatIsNotConfiguredIsRefusedNamingIt() {
    WorkflowDefinition<String, String> onMissing =
        WorkflowDefinition.builder("kit-nowhere", String.class, String.class, (wf, in) -> in)
            .queue("nowhere")
            .build();
    assertThatThrownBy(() -> SagaEngine.builder(store).register(onMissing).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nowhere'")
        .hasMessageContaining("kit-nowhere@1");

    WorkflowDefinition<String, String> d = def("kit-queue-option", (wf, in) -> in);
    SagaEngine engine = engine(d);
    assertThatThrownBy(
            () -> engine.start(d, "r-nowhere", "x", StartOptions.defaults().withQueue("nowhere")))
        .hasMessageContaining("nowhere");
    assertThat(engine.run("r-nowhere")).isEmpty();
  }

  @Test
  void aRetryPolicyWithABudgetIsRefusedNamingTheStep() {
    RetryConfig withBudget =
        RetryConfig.builder()
            .budget(RetryBudget.ofDefaults("kit", io.bulwark.core.time.Scheduler.system()))
            .build();
    assertThatThrownBy(() -> Step.named("charge", String.class).retry(withBudget))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("charge");
  }

  // ---------------------------------------------------------------- unknown runs

  @Test
  void everyOperationOnAnUnknownRunIdIsRefusedNamingIt() {
    SagaEngine engine = engine(KitFixture.MARKER);
    List<Consumer<String>> operations =
        List.of(
            id -> engine.handle(id, String.class),
            id -> engine.signal(id, "go", "x"),
            id -> engine.cancel(id, "because"),
            engine::retry,
            engine::skip);
    for (Consumer<String> op : operations) {
      assertThatThrownBy(() -> op.accept("ghost-run"))
          .isInstanceOfSatisfying(
              UnknownRunException.class, e -> assertThat(e.runId()).isEqualTo("ghost-run"))
          .hasMessageContaining("ghost-run");
    }
    assertThat(engine.run("ghost-run")).isEmpty();
    assertThat(engine.runs(RunQuery.all())).isEmpty();
  }

  @Test
  void retryAndSkipOfARunThatIsNotParkedAreRefusedAndChangeNothing() throws Exception {
    WorkflowDefinition<String, String> d =
        def(
            "kit-not-parked",
            (wf, in) ->
                wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1)).orElse("-"));
    SagaEngine engine = engine(d);
    engine.start(d, "r-not-parked", "x");
    RunView before = Waits.waitingAt(engine, "r-not-parked", "wait");
    assertThatThrownBy(() -> engine.retry("r-not-parked"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("r-not-parked")
        .hasMessageContaining("WAITING");
    assertThatThrownBy(() -> engine.skip("r-not-parked"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("r-not-parked");
    assertThat(engine.run("r-not-parked").orElseThrow().steps()).isEqualTo(before.steps());
    engine.signal("r-not-parked", "go", "done");
    assertThat(engine.handle("r-not-parked", String.class).await(Waits.LIMIT)).isEqualTo("done");
  }

  // ---------------------------------------------------------------- queries

  @Test
  void runQueryLimitsAndTimeRangesAreChecked() {
    assertThatThrownBy(() -> RunQuery.all().withLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> RunQuery.all().withLimit(1_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 1001");
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThatThrownBy(() -> RunQuery.all().withCreated(t, t))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(t.toString());
    assertThat(RunQuery.all().withLimit(RunQuery.MAX_LIMIT).limit()).isEqualTo(1_000);
  }

  // ---------------------------------------------------------------- payload limit

  @Test
  void anInputOverThePayloadLimitIsRefusedNamingTheRunAndSizeAndNothingIsStored() {
    WorkflowDefinition<String, String> d = def("kit-big-input", (wf, in) -> in);
    SagaEngine engine = engine(d);
    String big = "x".repeat(2_000);
    assertThatThrownBy(() -> engine.start(d, "r-big-input", big))
        .isInstanceOfSatisfying(
            PayloadTooLargeException.class,
            e -> {
              assertThat(e.bytes()).isEqualTo(2_002);
              assertThat(e.limit()).isEqualTo(LIMIT);
            })
        .hasMessageContaining("r-big-input")
        .hasMessageContaining("2002");
    assertThat(engine.run("r-big-input")).isEmpty();
    assertThat(engine.start(d, "r-big-input", "small").created()).isTrue();
  }

  @Test
  void aStepResultOverThePayloadLimitFailsTheRunNamingStepAndSizeAndStoresNoResult()
      throws Exception {
    WorkflowDefinition<String, String> d =
        def(
            "kit-big-result",
            (wf, in) -> {
              wf.step("a", String.class, s -> "A", (s, r) -> effects.record("comp:a"));
              return wf.step("huge", String.class, s -> "y".repeat(5_000));
            });
    SagaEngine engine = engine(d);
    engine.start(d, "r-big-result", "x");
    RunFailedException failed = failure(engine, "r-big-result");
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("huge").contains("5002");
    assertThat(Waits.stepOf(engine.run("r-big-result").orElseThrow(), "huge").outputJson())
        .isNull();
    assertThat(effects.count("comp:a")).isEqualTo(1);
  }

  @Test
  void aSignalOverThePayloadLimitIsRefusedAndTheRunStillWaitsForAGoodOne() throws Exception {
    WorkflowDefinition<String, String> d =
        def(
            "kit-big-signal",
            (wf, in) ->
                wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1)).orElse("-"));
    SagaEngine engine = engine(d);
    engine.start(d, "r-big-signal", "x");
    Waits.waitingAt(engine, "r-big-signal", "wait");
    assertThatThrownBy(() -> engine.signal("r-big-signal", "go", "z".repeat(3_000)))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessageContaining("r-big-signal")
        .hasMessageContaining("3002");
    assertThat(engine.run("r-big-signal").orElseThrow().status()).isEqualTo(RunStatus.WAITING);
    engine.signal("r-big-signal", "go", "small");
    assertThat(engine.handle("r-big-signal", String.class).await(Waits.LIMIT)).isEqualTo("small");
  }

  @Test
  void stateOverThePayloadLimitFailsTheRunNamingTheSize() throws Exception {
    WorkflowDefinition<String, String> d =
        def(
            "kit-big-state",
            (wf, in) -> {
              wf.state().put("blob", "s".repeat(4_000));
              return wf.step("after", String.class, s -> "after" + effects.record("after"));
            });
    SagaEngine engine = engine(d);
    engine.start(d, "r-big-state", "x");
    RunFailedException failed = failure(engine, "r-big-state");
    assertThat(failed.runCause()).contains("4002");
    assertThat(effects.count("after")).isZero();
    assertThat(engine.run("r-big-state").orElseThrow().state()).doesNotContainKey("blob");
  }

  @Test
  void anOutputOverThePayloadLimitFailsTheRunNamingTheSize() throws Exception {
    WorkflowDefinition<String, String> d =
        def(
            "kit-big-output",
            (wf, in) -> {
              wf.step("a", String.class, s -> "A", (s, r) -> effects.record("comp:a"));
              return "o".repeat(6_000);
            });
    SagaEngine engine = engine(d);
    engine.start(d, "r-big-output", "x");
    RunFailedException failed = failure(engine, "r-big-output");
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("6002");
    assertThat(engine.run("r-big-output").orElseThrow().outputJson()).isNull();
    assertThat(effects.count("comp:a")).isEqualTo(1);
  }
}
