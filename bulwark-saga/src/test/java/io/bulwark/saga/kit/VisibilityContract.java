package io.bulwark.saga.kit;

import static io.bulwark.saga.kit.KitAccess.await;
import static io.bulwark.saga.kit.KitFixture.NO_RETRY;
import static io.bulwark.saga.kit.Waits.stepOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.saga.QueueConfig;
import io.bulwark.saga.RunEvent;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunSummary;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepFailedException;
import io.bulwark.saga.StepView;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.testing.SagaTestKit;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What operators see and what a run carries along: the visibility API's filters and run detail, the
 * run's state, child runs, and the versions a store's pending runs need.
 */
interface VisibilityContract extends KitAccess {

  @Test
  default void theRunsStateIsDurableAndVisible() throws Exception {
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-state",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.state().put("progress", 1);
                  wf.step("a", String.class, s -> "A");
                  wf.state().put("progress", 2);
                  wf.state().put("note", "hello");
                  wf.state().put("gone", "soon");
                  wf.state().put("gone", null);
                  wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1));
                  return wf.state().get("progress", Integer.class).orElse(-1)
                      + "/"
                      + wf.state().get("note", String.class).orElse("?");
                })
            .build();
    SagaEngine first = kit().start(kit().real(store()).register(def));
    first.start(def, "r-state", "x");
    RunView waiting = Waits.waitingAt(first, "r-state", "wait");
    assertThat(waiting.state()).containsEntry("progress", "2").containsEntry("note", "\"hello\"");
    assertThat(waiting.state()).doesNotContainKey("gone");
    first.close();

    SagaEngine second = kit().start(kit().real(reopen()).register(def));
    second.signal("r-state", "go", "now");
    assertThat(await(second.handle("r-state", String.class))).isEqualTo("2/hello");
  }

  private static WorkflowDefinition<Integer, Integer> doubler() {
    return WorkflowDefinition.builder(
            "kit-child",
            Integer.class,
            Integer.class,
            (wf, in) -> {
              if (in < 0) {
                wf.step(
                    Step.named("refuse", Integer.class)
                        .retry(NO_RETRY)
                        .action(
                            s -> {
                              throw new KitFixture.Fatal("negative input " + in);
                            }));
              }
              return wf.step("double", Integer.class, s -> in * 2);
            })
        .build();
  }

  @Test
  default void aChildWorkflowIsItsOwnRunAndItsOutputReturnsToTheParent() throws Exception {
    WorkflowDefinition<Integer, Integer> child = doubler();
    WorkflowDefinition<Integer, String> parent =
        WorkflowDefinition.builder(
                "kit-parent",
                Integer.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "a" + effects().record("a"));
                  try {
                    return "child says " + wf.child("ship", child, in);
                  } catch (StepFailedException e) {
                    return "child failed at " + e.step();
                  }
                })
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(parent, child));

    assertThat(await(engine.start(parent, "p-ok", 21))).isEqualTo("child says 42");
    RunView childRun = engine.run("p-ok/ship").orElseThrow();
    assertThat(childRun.workflow()).isEqualTo("kit-child");
    assertThat(childRun.parentRunId()).isEqualTo("p-ok");
    assertThat(childRun.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(childRun.outputJson()).isEqualTo("42");
    assertThat(stepOf(engine.run("p-ok").orElseThrow(), "ship").kind()).isEqualTo("CHILD");

    assertThat(await(engine.start(parent, "p-bad", -1))).isEqualTo("child failed at ship");
    assertThat(engine.run("p-bad/ship").orElseThrow().status()).isEqualTo(RunStatus.COMPENSATED);
  }

  @Test
  default void aMissingDefinitionIsReportedAndItsRunLeftAloneUntilItReturns() throws Exception {
    WorkflowDefinition<String, String> v1 =
        WorkflowDefinition.builder(
                "kit-versioned",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "a" + effects().record("v1:a"));
                  String go =
                      wf.awaitSignal("wait", "go", String.class, Duration.ofHours(1)).orElse("-");
                  return wf.step("b", String.class, s -> go + effects().record("v1:b"));
                })
            .build();
    WorkflowDefinition<String, String> v2 =
        WorkflowDefinition.builder(
                "kit-versioned",
                String.class,
                String.class,
                (wf, in) -> wf.step("only", String.class, s -> "v2" + effects().record("v2")))
            .version(2)
            .build();
    SagaEngine first = kit().start(kit().real(store()).register(v1));
    first.start(v1, "r-v1", "x");
    RunView before = Waits.waitingAt(first, "r-v1", "wait");
    first.close();

    SagaEngine without = kit().start(kit().real(reopen()).register(v2, KitFixture.MARKER));
    assertThat(without.missingDefinitions()).containsExactly("kit-versioned@1");
    without.signal("r-v1", "go", "later");
    runMarker(without, "m-without-v1");
    assertThat(await(without.start(v2, "r-v2", "y"))).isEqualTo("v21");
    RunView untouched = without.run("r-v1").orElseThrow();
    assertThat(untouched.status()).isEqualTo(before.status());
    assertThat(untouched.version()).isEqualTo(1);
    assertThat(untouched.steps()).isEqualTo(before.steps());
    assertThat(effects().count("v1:b")).isZero();
    without.close();

    SagaEngine with = kit().start(kit().real(reopen()).register(v1, v2));
    assertThat(with.missingDefinitions()).isEmpty();
    assertThat(await(with.handle("r-v1", String.class))).isEqualTo("later1");
    assertThat(effects().count("v1:a")).isEqualTo(1);
  }

  @Test
  default void theVisibilityApiFiltersRunsAndShowsStepsAttemptsErrorsAndTimeline()
      throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    WorkflowDefinition<String, String> a =
        WorkflowDefinition.builder(
                "kit-vis-a",
                String.class,
                String.class,
                (wf, in) -> {
                  String got = wf.step("first", String.class, s -> in + "!");
                  if (in.equals("wait")) {
                    wf.awaitSignal("wait", "go", String.class, Duration.ofDays(1));
                  }
                  return got;
                })
            .build();
    WorkflowDefinition<String, String> b =
        WorkflowDefinition.builder(
                "kit-vis-b",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("ok", String.class, s -> "fine", (s, r) -> effects().record("comp:ok"));
                  return wf.step(
                      Step.named("broken", String.class)
                          .retry(KitFixture.FAST_RETRY)
                          .action(
                              s -> {
                                throw new KitFixture.Boom("broken on attempt " + s.attempt());
                              }));
                })
            .build();
    SagaEngine engine = kit().start(kit().virtual(store(), time).register(a, b));
    Instant t0 = time.clock().instant();
    assertThat(await(engine.start(a, "vis-a1", "one"))).isEqualTo("one!");
    time.advance(Duration.ofHours(1));
    engine.start(b, "vis-b1", "two");
    // b's retries are 10 ms apart in virtual time: move time until they are spent
    for (int i = 0; i < 50 && !engine.run("vis-b1").orElseThrow().status().isFinal(); i++) {
      SagaTestKit.awaitIdle(engine, Waits.LIMIT);
      time.advance(Duration.ofMillis(10));
    }
    Waits.status(engine, "vis-b1", RunStatus.COMPENSATED);
    time.advance(Duration.ofHours(1));
    engine.start(a, "vis-a2", "wait");
    Waits.waitingAt(engine, "vis-a2", "wait");

    assertThat(ids(engine.runs(RunQuery.all().withWorkflow("kit-vis-a"))))
        .containsExactly("vis-a2", "vis-a1");
    assertThat(ids(engine.runs(RunQuery.all().withStatuses(Set.of(RunStatus.COMPENSATED)))))
        .containsExactly("vis-b1");
    assertThat(
            ids(
                engine.runs(
                    RunQuery.all().withStatuses(Set.of(RunStatus.WAITING, RunStatus.COMPLETED)))))
        .containsExactly("vis-a2", "vis-a1");
    assertThat(
            ids(
                engine.runs(
                    RunQuery.all()
                        .withCreated(
                            t0.plus(Duration.ofMinutes(30)), t0.plus(Duration.ofMinutes(90))))))
        .containsExactly("vis-b1");
    assertThat(ids(engine.runs(RunQuery.all().withCreated(t0, t0.plusMillis(1)))))
        .containsExactly("vis-a1");
    assertThat(ids(engine.runs(RunQuery.all().withLimit(2)))).containsExactly("vis-a2", "vis-b1");
    assertThat(engine.runs(RunQuery.all().withWorkflow("kit-nothing"))).isEmpty();

    RunSummary a1 = engine.runs(RunQuery.all().withWorkflow("kit-vis-a")).get(1);
    assertThat(a1.createdAt()).isEqualTo(t0);
    assertThat(a1.status()).isEqualTo(RunStatus.COMPLETED);
    assertThat(a1.version()).isEqualTo(1);

    RunView b1 = engine.run("vis-b1").orElseThrow();
    assertThat(b1.workflow()).isEqualTo("kit-vis-b");
    assertThat(b1.queue()).isEqualTo(QueueConfig.DEFAULT_QUEUE);
    assertThat(b1.inputJson()).isEqualTo("\"two\"");
    assertThat(b1.outputJson()).isNull();
    assertThat(b1.cause()).contains("broken");
    assertThat(b1.createdAt()).isEqualTo(t0.plus(Duration.ofHours(1)));
    StepView ok = stepOf(b1, "ok");
    assertThat(ok.kind()).isEqualTo("STEP");
    assertThat(ok.status()).isEqualTo("COMPENSATED");
    assertThat(ok.outputJson()).isEqualTo("\"fine\"");
    assertThat(ok.attempts()).isEqualTo(1);
    StepView broken = stepOf(b1, "broken");
    assertThat(broken.status()).isEqualTo("FAILED");
    assertThat(broken.attempts()).isEqualTo(3);
    assertThat(broken.error()).contains("broken on attempt 3");
    assertThat(b1.timeline()).extracting(RunEvent::kind).contains("started", "retry");
    assertThat(b1.timeline())
        .anySatisfy(e -> assertThat(e.kind()).containsIgnoringCase("compensat"));
    assertThat(b1.timeline()).isSortedAccordingTo(java.util.Comparator.comparing(RunEvent::at));
    assertThat(effects().count("comp:ok")).isEqualTo(1);
    assertThat(engine.run("no-such-run")).isEmpty();
  }

  private static java.util.List<String> ids(java.util.List<RunSummary> runs) {
    return runs.stream().map(RunSummary::runId).toList();
  }
}
