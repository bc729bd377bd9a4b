package io.bulwark.saga.kit;

import static io.bulwark.saga.kit.KitAccess.await;
import static io.bulwark.saga.kit.KitFixture.NO_RETRY;
import static io.bulwark.saga.kit.Waits.stepOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunEvent;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepView;
import io.bulwark.saga.Workflow;
import io.bulwark.saga.WorkflowContext;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.testing.StepFaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Failure handling: compensation in reverse order (parallel groups in parallel), durable
 * compensation retries that park the run, the operator's retry, skip and cancel, step timeouts,
 * duplicate step names and code changes that no longer match the stored steps.
 */
interface CompensationContract extends KitAccess {

  /** A step returning {@code name.toUpperCase()} whose compensation records {@code comp:name:R}. */
  private String compensated(WorkflowContext wf, String name) throws Exception {
    return wf.step(
        name,
        String.class,
        s -> {
          effects().record(name);
          return name.toUpperCase(java.util.Locale.ROOT);
        },
        (s, result) -> effects().record("comp:" + s.stepName() + ":" + result));
  }

  private static String failNow(WorkflowContext wf, String name) throws Exception {
    return wf.step(
        Step.named(name, String.class)
            .retry(NO_RETRY)
            .action(
                s -> {
                  throw new KitFixture.Fatal(name + " refused");
                }));
  }

  private static RunFailedException failure(RunHandle<?> run) {
    try {
      Object out = await(run);
      throw new AssertionError("run " + run.runId() + " completed with " + out);
    } catch (RunFailedException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("run " + run.runId() + " did not end: " + e, e);
    }
  }

  @Test
  default void completedStepsAreCompensatedInReverseOrderWithTheirResults() throws Exception {
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-reverse",
                String.class,
                String.class,
                (wf, in) -> {
                  compensated(wf, "a");
                  compensated(wf, "b");
                  compensated(wf, "c");
                  return failNow(wf, "d");
                })
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));

    RunFailedException failed = failure(engine.start(def, "r-reverse", "x"));
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("d");
    assertThat(effects().order("comp:")).containsExactly("comp:c:C", "comp:b:B", "comp:a:A");
    RunView view = Waits.status(engine, "r-reverse", RunStatus.COMPENSATED);
    assertThat(view.cause()).contains("d");
    for (String name : List.of("a", "b", "c")) {
      assertThat(stepOf(view, name).status()).as(name).isEqualTo("COMPENSATED");
      assertThat(stepOf(view, name).compensationAttempts()).as(name).isEqualTo(1);
    }
    assertThat(stepOf(view, "d").status()).isEqualTo("FAILED");
    assertThat(stepOf(view, "d").error()).contains("d refused");
  }

  @Test
  default void parallelStepsRunAtTheSameTimeAndReturnInListOrder() throws Exception {
    CyclicBarrier together = new CyclicBarrier(3);
    List<Step<String>> group = new ArrayList<>();
    for (String name : List.of("p1", "p2", "p3")) {
      group.add(
          Step.named(name, String.class)
              .action(
                  s -> {
                    together.await(20, TimeUnit.SECONDS); // only passes if all three run at once
                    return s.stepName() + "@" + s.stepIndex();
                  }));
    }
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-fan-out",
                String.class,
                String.class,
                (wf, in) -> String.join(",", wf.parallel(group)))
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));

    assertThat(await(engine.start(def, "r-fan-out", "x"))).isEqualTo("p1@0,p2@1,p3@2");
    RunView view = engine.run("r-fan-out").orElseThrow();
    for (String name : List.of("p1", "p2", "p3")) {
      assertThat(stepOf(view, name).attempts()).as(name + " attempts").isEqualTo(1);
    }
  }

  @Test
  default void parallelGroupMembersAreCompensatedInParallelBeforeEarlierSteps() throws Exception {
    CyclicBarrier together = new CyclicBarrier(3);
    List<Step<String>> group = new ArrayList<>();
    for (String name : List.of("p1", "p2", "p3")) {
      group.add(
          Step.named(name, String.class)
              .compensate(
                  (s, result) -> {
                    together.await(20, TimeUnit.SECONDS); // passes only if compensated at once
                    effects().record("comp:" + s.stepName() + ":" + result);
                  })
              .action(s -> s.stepName()));
    }
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-parallel-comp",
                String.class,
                String.class,
                (wf, in) -> {
                  compensated(wf, "a");
                  wf.parallel(group);
                  return failNow(wf, "z");
                })
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));

    assertThat(failure(engine.start(def, "r-par-comp", "x")).status())
        .isEqualTo(RunStatus.COMPENSATED);
    List<String> comps = effects().order("comp:");
    assertThat(comps).hasSize(4);
    assertThat(comps.subList(0, 3))
        .containsExactlyInAnyOrder("comp:p1:p1", "comp:p2:p2", "comp:p3:p3");
    assertThat(comps.get(3)).isEqualTo("comp:a:A");
    RunView view = engine.run("r-par-comp").orElseThrow();
    for (String name : List.of("p1", "p2", "p3")) {
      assertThat(stepOf(view, name).compensationAttempts()).as(name).isEqualTo(1);
    }
  }

  @Test
  default void aFailedParallelMemberLetsTheOthersFinishAndCompensatesThem() throws Exception {
    List<Step<String>> group =
        List.of(
            Step.named("ok1", String.class)
                .compensate((s, r) -> effects().record("comp:ok1"))
                .action(s -> "ok1"),
            Step.named("bad", String.class)
                .retry(NO_RETRY)
                .compensate((s, r) -> effects().record("comp:bad"))
                .action(
                    s -> {
                      throw new KitFixture.Fatal("bad member");
                    }),
            Step.named("ok2", String.class)
                .compensate((s, r) -> effects().record("comp:ok2"))
                .action(s -> "ok2"));
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-parallel-fail",
                String.class,
                String.class,
                (wf, in) -> String.join(",", wf.parallel(group)))
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));

    RunFailedException failed = failure(engine.start(def, "r-par-fail", "x"));
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("bad");
    assertThat(effects().order("comp:")).containsExactlyInAnyOrder("comp:ok1", "comp:ok2");
  }

  private WorkflowDefinition<String, String> parkingSaga(String name, AtomicBoolean broken) {
    Step<String> b =
        Step.named("b", String.class)
            .compensationRetry(
                RetryConfig.builder()
                    .maxAttempts(2)
                    .fixedDelay(Duration.ofMillis(10))
                    .retryOn(t -> t instanceof KitFixture.Boom)
                    .build())
            .compensate(
                (s, r) -> {
                  effects().record("comp-try:b");
                  if (broken.get()) {
                    throw new KitFixture.Boom("refund service down");
                  }
                  effects().record("comp:b");
                })
            .action(s -> "B");
    return WorkflowDefinition.builder(
            name,
            String.class,
            String.class,
            (wf, in) -> {
              wf.step("a", String.class, s -> "A", (s, r) -> effects().record("comp:a"));
              wf.step(b);
              return failNow(wf, "c");
            })
        .build();
  }

  @Test
  default void exhaustedCompensationParksTheRunAndAnOperatorRetryFinishesIt() throws Exception {
    AtomicBoolean broken = new AtomicBoolean(true);
    WorkflowDefinition<String, String> def = parkingSaga("kit-park-retry", broken);
    SagaEngine engine = kit().start(kit().real(store()).register(def));
    RunHandle<String> run = engine.start(def, "r-park", "x");

    RunFailedException parked = failure(run);
    assertThat(parked.status()).isEqualTo(RunStatus.PARKED);
    assertThat(parked.runCause()).contains("b");
    RunView view = Waits.status(engine, "r-park", RunStatus.PARKED);
    assertThat(view.cause()).contains("b").contains("refund service down");
    StepView b = stepOf(view, "b");
    assertThat(b.status()).isEqualTo("COMPENSATION_FAILED");
    assertThat(b.compensationAttempts()).isEqualTo(2);
    assertThat(effects().count("comp-try:b")).isEqualTo(2);
    assertThat(effects().count("comp:a")).as("a waits until b is compensated").isZero();

    broken.set(false);
    engine.retry("r-park");
    RunView done = Waits.status(engine, "r-park", RunStatus.COMPENSATED);
    assertThat(effects().count("comp-try:b")).isEqualTo(3);
    assertThat(effects().order("comp:")).containsExactly("comp:b", "comp:a");
    assertThat(stepOf(done, "b").status()).isEqualTo("COMPENSATED");
    assertThat(done.timeline()).extracting(RunEvent::kind).contains("parked");
  }

  @Test
  default void operatorSkipOfAParkedCompensationGoesOnWithTheNextStep() throws Exception {
    WorkflowDefinition<String, String> def = parkingSaga("kit-park-skip", new AtomicBoolean(true));
    SagaEngine engine = kit().start(kit().real(store()).register(def));
    engine.start(def, "r-skip", "x");
    Waits.status(engine, "r-skip", RunStatus.PARKED);

    engine.skip("r-skip");
    RunView done = Waits.status(engine, "r-skip", RunStatus.COMPENSATED);
    assertThat(effects().count("comp:b")).isZero();
    assertThat(effects().count("comp:a")).isEqualTo(1);
    assertThat(done.timeline())
        .as("the skip is on the timeline")
        .anySatisfy(e -> assertThat(e.kind() + " " + e.detail()).containsIgnoringCase("skip"));
  }

  @Test
  default void cancelCompensatesAWaitingRunWithTheReasonAsCause() throws Exception {
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-cancel",
                String.class,
                String.class,
                (wf, in) -> {
                  compensated(wf, "a");
                  wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1));
                  return compensated(wf, "b");
                })
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));
    RunHandle<String> run = engine.start(def, "r-cancel", "x");
    Waits.waitingAt(engine, "r-cancel", "wait");

    engine.cancel("r-cancel", "customer withdrew");
    RunFailedException failed = failure(run);
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("customer withdrew");
    assertThat(effects().order("comp:")).containsExactly("comp:a:A");
    assertThat(effects().count("b")).isZero();
  }

  @Test
  default void aStepAttemptOverItsTimeoutFailsAndIsRetried() throws Exception {
    Step<String> slow =
        Step.named("slow", String.class)
            // real time for each attempt: long enough that attempt 2 (immediate) finishes within
            // it on a loaded machine, short enough to keep the test quick
            .timeout(Duration.ofSeconds(1))
            .retry(KitFixture.FAST_RETRY)
            .action(
                s -> {
                  if (effects().record("slow") == 1) {
                    new CountDownLatch(1).await(60, TimeUnit.SECONDS); // hangs past the timeout
                  }
                  return "done on attempt " + s.attempt();
                });
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder("kit-timeout-retry", String.class, String.class, timed(slow))
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));

    assertThat(await(engine.start(def, "r-timeout-retry", "x"))).isEqualTo("done on attempt 2");
    assertThat(stepOf(engine.run("r-timeout-retry").orElseThrow(), "slow").attempts()).isEqualTo(2);
  }

  private static Workflow<String, String> timed(Step<String> step) {
    return (wf, in) -> wf.step(step);
  }

  @Test
  default void aStepOverItsTimeoutWithoutRetriesCompensatesTheRun() throws Exception {
    Step<String> slow =
        Step.named("slow", String.class)
            .timeout(Duration.ofMillis(200))
            .retry(NO_RETRY)
            .action(
                s -> {
                  new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                  return "late";
                });
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-timeout",
                String.class,
                String.class,
                (wf, in) -> {
                  compensated(wf, "a");
                  return wf.step(slow);
                })
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));

    RunFailedException failed = failure(engine.start(def, "r-timeout", "x"));
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("slow");
    assertThat(effects().order("comp:")).containsExactly("comp:a:A");
  }

  @Test
  default void aStepNameUsedTwiceInOneRunFailsTheRunAndCompensates() throws Exception {
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-duplicate",
                String.class,
                String.class,
                (wf, in) -> {
                  compensated(wf, "reserve-stock");
                  return wf.step(
                      "reserve-stock", String.class, s -> "again" + effects().record("second"));
                })
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));

    RunFailedException failed = failure(engine.start(def, "r-duplicate", "x"));
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(failed.runCause()).contains("reserve-stock");
    assertThat(effects().count("second")).isZero();
    assertThat(effects().order("comp:")).containsExactly("comp:reserve-stock:RESERVE-STOCK");
  }

  // ---------------------------------------------------------------- code changes

  /**
   * Runs {@code old} (steps, then a wait for a signal) on one engine, restarts with {@code changed}
   * (the same name and version), sends the signal and expects the run PARKED with a cause naming
   * {@code named}; no step of the changed code may run.
   */
  private void parksOnCodeChange(List<String> old, List<String> changed, String... named)
      throws Exception {
    String runId = "r-change";
    SagaEngine first = kit().start(kit().real(store()).register(saga(old, "old:")));
    first.start(saga(old, "old:"), runId, "x");
    Waits.waitingAt(first, runId, "wait");
    first.close();

    WorkflowDefinition<String, String> changedDef = saga(changed, "new:");
    SagaEngine second = kit().start(kit().real(reopen()).register(changedDef));
    second.signal(runId, "go", "now");
    RunView parked = Waits.status(second, runId, RunStatus.PARKED);
    assertThat(parked.cause()).isNotNull();
    for (String name : named) {
      assertThat(parked.cause()).contains(name);
    }
    assertThat(effects().order("new:")).as("no step of the changed code ran").isEmpty();
    assertThat(effects().count("ship")).as("the run was not mis-resumed").isZero();
    assertThat(effects().order("old:")).containsExactlyElementsOf(prefixed("old:", old));
    assertThatThrownBy(() -> await(second.handle(runId, String.class)))
        .isInstanceOfSatisfying(
            RunFailedException.class, e -> assertThat(e.status()).isEqualTo(RunStatus.PARKED));
  }

  private static List<String> prefixed(String prefix, List<String> names) {
    return names.stream().map(n -> prefix + n).toList();
  }

  private WorkflowDefinition<String, String> saga(List<String> steps, String effectPrefix) {
    return WorkflowDefinition.builder(
            "kit-change",
            String.class,
            String.class,
            (wf, in) -> {
              for (String name : steps) {
                wf.step(name, String.class, s -> name + effects().record(effectPrefix + name));
              }
              wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1));
              return wf.step("ship", String.class, s -> "shipped" + effects().record("ship"));
            })
        .build();
  }

  @Test
  default void aRenamedStepParksTheRunNamingBothNames() throws Exception {
    parksOnCodeChange(List.of("reserve", "charge"), List.of("reserve", "bill"), "charge", "bill");
  }

  @Test
  default void reorderedStepsParkTheRunNamingTheStep() throws Exception {
    parksOnCodeChange(List.of("reserve", "charge"), List.of("charge", "reserve"), "reserve");
  }

  @Test
  default void aRemovedStepParksTheRunNamingIt() throws Exception {
    parksOnCodeChange(List.of("reserve", "charge"), List.of("reserve"), "charge");
  }

  @Test
  default void theFaultHookFailsTheChosenActionAndCompensationAttempts() throws Exception {
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-faults",
                String.class,
                String.class,
                (wf, in) -> {
                  compensated(wf, "reserve");
                  wf.step(
                      "charge",
                      String.class,
                      s -> "charged" + effects().record("charge:" + s.attempt()));
                  return failNow(wf, "ship");
                })
            .build();
    StepFaults faults =
        StepFaults.none()
            .fail(
                "kit-faults",
                "charge",
                StepFaults.Target.ACTION,
                1,
                () -> new KitFixture.Boom("injected"))
            .fail(
                "kit-faults",
                "reserve",
                StepFaults.Target.COMPENSATION,
                1,
                () -> new KitFixture.Boom("injected comp"));
    SagaEngine engine = kit().start(kit().real(store()).faults(faults).register(def));

    RunFailedException failed = failure(engine.start(def, "r-faults", "x"));
    assertThat(failed.status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(effects().order("charge:"))
        .as("attempt 1 failed before the action ran")
        .containsExactly("charge:2");
    RunView view = engine.run("r-faults").orElseThrow();
    assertThat(stepOf(view, "charge").attempts()).isEqualTo(2);
    assertThat(stepOf(view, "reserve").compensationAttempts()).isEqualTo(2);
    assertThat(effects().order("comp:")).containsExactly("comp:reserve:RESERVE");
  }
}
