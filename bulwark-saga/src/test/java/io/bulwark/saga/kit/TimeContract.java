package io.bulwark.saga.kit;

import static io.bulwark.saga.kit.KitAccess.await;
import static io.bulwark.saga.kit.Waits.stepOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Criticality;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.context.TraceContext;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepContext;
import io.bulwark.saga.StepView;
import io.bulwark.saga.UnknownRunException;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Everything that waits: durable retries, sleeps, signals with timeouts, run timeouts and the run's
 * context across a restart. Days pass in milliseconds under a {@link VirtualScheduler}; a restart
 * is a new engine on a new store instance with the same scheduler.
 */
interface TimeContract extends KitAccess {

  private static Instant now(VirtualScheduler time) {
    return time.clock().instant();
  }

  @Test
  default void retryAttemptCountAndNextAttemptTimeSurviveARestart() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    List<String> keys = new CopyOnWriteArrayList<>();
    Step<String> flaky =
        Step.named("flaky", String.class)
            .retry(
                RetryConfig.builder()
                    .maxAttempts(3)
                    .fixedDelay(Duration.ofHours(1))
                    .retryOn(t -> t instanceof KitFixture.Boom)
                    .build())
            .action(
                s -> {
                  attempts.add(s.attempt());
                  keys.add(s.idempotencyKey());
                  if (s.attempt() < 3) {
                    throw new KitFixture.Boom("attempt " + s.attempt() + " fails");
                  }
                  return "ok on " + s.attempt();
                });
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-retry-restart", String.class, String.class, (wf, in) -> wf.step(flaky))
            .build();
    Instant start = now(time);
    SagaEngine first = kit().start(kit().virtual(store(), time).register(def, KitFixture.MARKER));
    first.start(def, "r-retry", "x");
    Waits.until(
        "attempt 1 to fail and its retry to be stored",
        () -> {
          RunView v = first.run("r-retry").orElseThrow();
          StepView s = Waits.step(v, "flaky");
          return v.status() == RunStatus.WAITING
              && s != null
              && s.attempts() == 1
              && s.nextAttemptAt() != null;
        },
        () -> Waits.describe(first, "r-retry"));
    StepView stored = stepOf(first.run("r-retry").orElseThrow(), "flaky");
    assertThat(stored.nextAttemptAt()).isEqualTo(start.plus(Duration.ofHours(1)));
    assertThat(stored.error()).contains("attempt 1 fails");
    first.close();

    SagaEngine second = kit().start(kit().virtual(reopen(), time).register(def, KitFixture.MARKER));
    runMarker(second, "m-after-restart");
    assertThat(attempts)
        .as("the restart neither repeats nor brings forward attempt 2")
        .containsExactly(1);
    StepView recovered = stepOf(second.run("r-retry").orElseThrow(), "flaky");
    assertThat(recovered.attempts()).isEqualTo(1);
    assertThat(recovered.nextAttemptAt()).isEqualTo(start.plus(Duration.ofHours(1)));

    time.advance(Duration.ofMinutes(59));
    runMarker(second, "m-59-minutes");
    assertThat(attempts).containsExactly(1);
    time.advance(Duration.ofMinutes(1));
    Waits.until(
        "attempt 2 to fail and attempt 3 to be stored",
        () -> {
          StepView s = Waits.step(second.run("r-retry").orElseThrow(), "flaky");
          return s != null && s.attempts() == 2 && s.nextAttemptAt() != null;
        },
        () -> Waits.describe(second, "r-retry"));
    assertThat(stepOf(second.run("r-retry").orElseThrow(), "flaky").nextAttemptAt())
        .isEqualTo(start.plus(Duration.ofHours(2)));
    time.advance(Duration.ofHours(1));
    assertThat(await(second.handle("r-retry", String.class))).isEqualTo("ok on 3");
    assertThat(attempts).containsExactly(1, 2, 3);
    assertThat(keys).containsOnly("r-retry:0:flaky");
  }

  @Test
  default void aDurableSleepOfDaysWakesOnTimeAcrossARestart() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-sleep",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "a" + effects().record("a"));
                  wf.sleep("nap", Duration.ofDays(3));
                  return wf.step("b", String.class, s -> "b" + effects().record("b"));
                })
            .build();
    SagaEngine first = kit().start(kit().virtual(store(), time).register(def, KitFixture.MARKER));
    first.start(def, "r-sleep", "x");
    Waits.waitingAt(first, "r-sleep", "nap");
    time.advance(Duration.ofDays(2));
    runMarker(first, "m-day-2");
    assertThat(effects().count("b")).isZero();
    first.close();

    SagaEngine second = kit().start(kit().virtual(reopen(), time).register(def, KitFixture.MARKER));
    time.advance(Duration.ofDays(1).minusMinutes(1));
    runMarker(second, "m-day-3-minus-a-minute");
    assertThat(effects().count("b")).as("the sleep is not restarted nor cut short").isZero();
    assertThat(second.run("r-sleep").orElseThrow().status()).isEqualTo(RunStatus.WAITING);
    time.advance(Duration.ofMinutes(1));
    assertThat(await(second.handle("r-sleep", String.class))).isEqualTo("b1");
    assertThat(effects().count("a")).isEqualTo(1);
    StepView nap = stepOf(second.run("r-sleep").orElseThrow(), "nap");
    assertThat(nap.kind()).isEqualTo("SLEEP");
  }

  private WorkflowDefinition<String, String> approval(String name, Duration timeout) {
    return WorkflowDefinition.builder(
            name,
            String.class,
            String.class,
            (wf, in) -> {
              Optional<String> answer = wf.awaitSignal("wait", "approve", String.class, timeout);
              return wf.step("decide", String.class, s -> answer.orElse("none"));
            })
        .build();
  }

  @Test
  default void aSignalSentBeforeTheRunWaitsIsKeptAndDelivered() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-signal-early",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step(
                      "prepare",
                      String.class,
                      s -> {
                        entered.countDown();
                        assertThat(proceed.await(30, TimeUnit.SECONDS)).isTrue();
                        return "prepared";
                      });
                  return wf.awaitSignal("wait", "approve", String.class, Duration.ofHours(1))
                      .orElse("none");
                })
            .build();
    SagaEngine engine = kit().start(kit().real(store()).register(def));
    engine.start(def, "r-signal-early", "x");
    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    engine.signal("r-signal-early", "approve", "yes");
    proceed.countDown();
    assertThat(await(engine.handle("r-signal-early", String.class))).isEqualTo("yes");
  }

  @Test
  default void aSignalSentWhileTheRunWaitsWakesIt() throws Exception {
    WorkflowDefinition<String, String> def = approval("kit-signal", Duration.ofHours(1));
    SagaEngine engine = kit().start(kit().real(store()).register(def));
    engine.start(def, "r-signal", "x");
    Waits.waitingAt(engine, "r-signal", "wait");
    engine.signal("r-signal", "approve", "granted");
    assertThat(await(engine.handle("r-signal", String.class))).isEqualTo("granted");
    assertThat(stepOf(engine.run("r-signal").orElseThrow(), "wait").kind()).isEqualTo("SIGNAL");
  }

  @Test
  default void aSignalWaitTimesOutAfterDaysOfVirtualTime() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    WorkflowDefinition<String, String> def = approval("kit-signal-timeout", Duration.ofDays(7));
    SagaEngine engine = kit().start(kit().virtual(store(), time).register(def, KitFixture.MARKER));
    engine.start(def, "r-signal-timeout", "x");
    Waits.waitingAt(engine, "r-signal-timeout", "wait");
    time.advance(Duration.ofDays(7).minusMinutes(1));
    runMarker(engine, "m-before-timeout");
    assertThat(engine.run("r-signal-timeout").orElseThrow().status()).isEqualTo(RunStatus.WAITING);
    time.advance(Duration.ofMinutes(1));
    assertThat(await(engine.handle("r-signal-timeout", String.class))).isEqualTo("none");
  }

  @Test
  default void aSignalToAnUnknownRunIsRefusedNamingIt() throws Exception {
    SagaEngine engine = kit().start(kit().real(store()).register(KitFixture.MARKER));
    assertThatThrownBy(() -> engine.signal("no-such-run", "approve", "yes"))
        .isInstanceOfSatisfying(
            UnknownRunException.class, e -> assertThat(e.runId()).isEqualTo("no-such-run"))
        .hasMessageContaining("no-such-run");
  }

  @Test
  default void aRunOverItsRunTimeoutIsCompensated() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-run-timeout",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "A", (s, r) -> effects().record("comp:a"));
                  wf.awaitSignal("wait", "never", String.class, Duration.ofDays(7));
                  return wf.step("b", String.class, s -> "b" + effects().record("b"));
                })
            .runTimeout(Duration.ofDays(1))
            .build();
    SagaEngine engine = kit().start(kit().virtual(store(), time).register(def, KitFixture.MARKER));
    engine.start(def, "r-run-timeout", "x");
    Waits.waitingAt(engine, "r-run-timeout", "wait");
    time.advance(Duration.ofDays(1).minusMinutes(1));
    runMarker(engine, "m-before-run-timeout");
    assertThat(effects().count("comp:a")).isZero();
    time.advance(Duration.ofMinutes(1));

    Waits.status(engine, "r-run-timeout", RunStatus.COMPENSATED, RunStatus.PARKED);
    assertThat(engine.run("r-run-timeout").orElseThrow().status())
        .as(Waits.describe(engine, "r-run-timeout"))
        .isEqualTo(RunStatus.COMPENSATED);
    assertThatThrownBy(() -> await(engine.handle("r-run-timeout", String.class)))
        .isInstanceOfSatisfying(
            RunFailedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(RunStatus.COMPENSATED);
              assertThat(e.runCause()).containsIgnoringCase("time");
            });
    assertThat(effects().count("comp:a")).isEqualTo(1);
    assertThat(effects().count("b")).isZero();
  }

  /** What a step saw of its context. */
  record Seen(
      String step,
      String tenant,
      Criticality criticality,
      String traceId,
      Duration remaining,
      String currentTenant,
      String currentTraceId) {
    static Seen of(StepContext s) {
      Context c = s.context();
      Context current = Context.current();
      Deadline d = c.deadline();
      return new Seen(
          s.stepName(),
          String.valueOf(c.baggage().get("tenant")),
          c.criticality(),
          c.trace() == null ? "no trace" : c.trace().traceId(),
          d == null ? Duration.ofDays(-1) : d.remaining(),
          String.valueOf(current.baggage().get("tenant")),
          current.trace() == null ? "no trace" : current.trace().traceId());
    }
  }

  @Test
  default void theRunsContextIsRestoredInEveryStepAlsoAfterARestart() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    List<Seen> seen = new CopyOnWriteArrayList<>();
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-context",
                String.class,
                String.class,
                (wf, in) -> {
                  assertThat(wf.context().baggage().get("tenant")).isEqualTo("acme");
                  wf.step(
                      "before",
                      String.class,
                      s -> {
                        seen.add(Seen.of(s));
                        return "ok";
                      });
                  wf.sleep("nap", Duration.ofHours(1));
                  return wf.step(
                      "after",
                      String.class,
                      s -> {
                        seen.add(Seen.of(s));
                        return "ok";
                      });
                })
            .build();
    TraceContext trace = TraceContext.newTrace(true);
    Context context =
        Context.root()
            .withDeadline(Deadline.after(Duration.ofDays(1), time.clock()))
            .withCriticality(Criticality.SHEDDABLE_PLUS)
            .withBaggage("tenant", "acme")
            .withTrace(trace);
    SagaEngine first = kit().start(kit().virtual(store(), time).register(def));
    first.start(def, "r-context", "x", StartOptions.defaults().withContext(context));
    Waits.waitingAt(first, "r-context", "nap");
    first.close();
    SagaEngine second = kit().start(kit().virtual(reopen(), time).register(def));
    time.advance(Duration.ofHours(1));
    assertThat(await(second.handle("r-context", String.class))).isEqualTo("ok");

    assertThat(seen).extracting(Seen::step).containsExactly("before", "after");
    for (Seen s : seen) {
      assertThat(s.tenant()).as(s.step()).isEqualTo("acme");
      assertThat(s.currentTenant()).as(s.step() + " Context.current()").isEqualTo("acme");
      assertThat(s.criticality()).as(s.step()).isEqualTo(Criticality.SHEDDABLE_PLUS);
      assertThat(s.traceId()).as(s.step()).isEqualTo(trace.traceId());
      assertThat(s.currentTraceId()).as(s.step()).isEqualTo(trace.traceId());
      assertThat(s.remaining()).as(s.step() + " deadline").isPositive();
    }
    assertThat(seen.get(0).remaining()).isLessThanOrEqualTo(Duration.ofDays(1));
    assertThat(seen.get(1).remaining())
        .as("the deadline kept counting through the restart")
        .isLessThanOrEqualTo(Duration.ofHours(23).plusMinutes(1));
  }

  @Test
  default void compensationAttemptCountAndNextAttemptTimeSurviveARestart() throws Exception {
    VirtualScheduler time = new VirtualScheduler();
    Step<String> reserve =
        Step.named("reserve", String.class)
            .compensationRetry(
                RetryConfig.builder()
                    .maxAttempts(3)
                    .fixedDelay(Duration.ofHours(1))
                    .retryOn(t -> t instanceof KitFixture.Boom)
                    .build())
            .compensate(
                (s, r) -> {
                  if (effects().record("comp-try") == 1) {
                    throw new KitFixture.Boom("stock service down");
                  }
                  effects().record("comp:reserve:" + r);
                })
            .action(s -> "R");
    WorkflowDefinition<String, String> def =
        WorkflowDefinition.builder(
                "kit-comp-restart",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step(reserve);
                  return wf.step(
                      Step.named("charge", String.class)
                          .retry(KitFixture.NO_RETRY)
                          .action(
                              s -> {
                                throw new KitFixture.Fatal("card declined");
                              }));
                })
            .build();
    Instant start = now(time);
    SagaEngine first = kit().start(kit().virtual(store(), time).register(def, KitFixture.MARKER));
    first.start(def, "r-comp-restart", "x");
    Waits.until(
        "the first compensation attempt to fail and the next to be stored",
        () -> {
          StepView s = Waits.step(first.run("r-comp-restart").orElseThrow(), "reserve");
          return s != null && s.compensationAttempts() == 1 && s.nextAttemptAt() != null;
        },
        () -> Waits.describe(first, "r-comp-restart"));
    first.close();

    SagaEngine second = kit().start(kit().virtual(reopen(), time).register(def, KitFixture.MARKER));
    runMarker(second, "m-after-restart");
    assertThat(effects().count("comp-try")).as("no compensation attempt repeated").isEqualTo(1);
    StepView stored = stepOf(second.run("r-comp-restart").orElseThrow(), "reserve");
    assertThat(stored.compensationAttempts()).isEqualTo(1);
    assertThat(stored.nextAttemptAt()).isEqualTo(start.plus(Duration.ofHours(1)));
    time.advance(Duration.ofMinutes(59));
    runMarker(second, "m-59-minutes");
    assertThat(effects().count("comp-try")).as("none brought forward").isEqualTo(1);
    time.advance(Duration.ofMinutes(1));
    RunView done = Waits.status(second, "r-comp-restart", RunStatus.COMPENSATED);
    assertThat(effects().order("comp:")).containsExactly("comp:reserve:R");
    assertThat(stepOf(done, "reserve").compensationAttempts()).isEqualTo(2);
    assertThat(done.cause()).contains("card declined");
  }
}
