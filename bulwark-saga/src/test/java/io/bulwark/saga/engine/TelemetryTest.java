package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.testing.SagaTestKit;
import io.bulwark.test.RecordingTelemetry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry of runs: one trace per run (also across a restart), spans per step and compensation,
 * RED per workflow and per step, and the retry/compensate/park/adopt decisions.
 */
class TelemetryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;

  private static SagaEngine engine(
      SagaStore store, String id, RecordingTelemetry t, WorkflowDefinition<?, ?>... defs) {
    RetryConfig quick =
        RetryConfig.builder()
            .maxAttempts(2)
            .fixedDelay(Duration.ofMillis(1))
            .retryOn(x -> true)
            .build();
    return SagaEngine.builder(store)
        .register(defs)
        .executorId(id)
        .telemetry(t)
        .poll(Duration.ofMillis(50))
        .defaultRetry(quick)
        .defaultCompensationRetry(quick)
        .build();
  }

  /**
   * Returns once {@code runId} is WAITING with step {@code step} completed, that is waiting on what
   * follows the step rather than on the step's own retry timer.
   */
  private static void awaitWaitingAfter(SagaEngine e, String runId, String step) throws Exception {
    long until = System.nanoTime() + WAIT.toNanos();
    while (true) {
      SagaTestKit.awaitIdle(e, WAIT);
      RunView v = e.run(runId).orElseThrow();
      boolean stepDone =
          v.steps().stream().anyMatch(x -> x.name().equals(step) && x.status().equals("COMPLETED"));
      if (v.status() == RunStatus.WAITING && stepDone) {
        return;
      }
      if (System.nanoTime() - until > 0) {
        throw new AssertionError(runId + " never waited after step " + step + ": " + v);
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void aRunKeepsOneTraceAcrossARestartAndRecordsSpansRedAndDecisions() throws Exception {
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "tel",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step(
                      "a",
                      String.class,
                      s -> "A",
                      (s, r) -> {
                        throw new IllegalStateException("undo of a is broken");
                      });
                  wf.step(
                      "flaky",
                      String.class,
                      s -> {
                        if (s.attempt() == 1) {
                          throw new IllegalStateException("first attempt fails");
                        }
                        return "F";
                      });
                  wf.awaitSignal("gate", "go", String.class, Duration.ofDays(1));
                  return wf.step(
                      "b",
                      String.class,
                      s -> {
                        throw new IllegalStateException("b always fails");
                      });
                })
            .build();
    WorkflowDefinition<String, String> ok =
        WorkflowDefinition.builder(
                "fine",
                String.class,
                String.class,
                (wf, in) -> wf.step("only", String.class, s -> in))
            .build();
    SagaStore store = SagaStores.sqlite(dir.resolve("t.db"));
    try (store) {
      RecordingTelemetry first = new RecordingTelemetry();
      try (SagaEngine e = engine(store, "exec-1", first, d, ok)) {
        e.start(d, "t-1", "x");
        assertThat(e.start(ok, "o-1", "hello").await(WAIT)).isEqualTo("hello");
        // a retry also waits (WAITING on a 1 ms timer): wait for the wait on the signal itself
        awaitWaitingAfter(e, "t-1", "flaky");
      }
      // the executor "dies" holding the run: a new executor on the file adopts it
      try (Connection c = store.dataSource().getConnection();
          Statement s = c.createStatement()) {
        assertThat(
                s.executeUpdate(
                    "UPDATE saga_runs SET status = 'RUNNING', owner = 'exec-dead', lease_until = 1,"
                        + " wake_at = NULL WHERE run_id = 't-1'"))
            .isEqualTo(1);
      }
      RecordingTelemetry second = new RecordingTelemetry();
      try (SagaEngine e = engine(store, "exec-2", second, d, ok)) {
        SagaTestKit.awaitIdle(e, WAIT);
        e.signal("t-1", "go", "now");
        // woken by the run's status changes, not by idleness (its retries wait on real timers)
        assertThatThrownBy(() -> e.handle("t-1", String.class).await(WAIT))
            .isInstanceOf(RunFailedException.class);
        assertThat(e.run("t-1").orElseThrow().status()).isEqualTo(RunStatus.PARKED);
      }

      // one trace for run t-1 in both lives, another for o-1
      Set<String> t1Traces =
          java.util.stream.Stream.concat(first.spans().stream(), second.spans().stream())
              .filter(sp -> !sp.name().endsWith(" only") && !sp.name().endsWith(" fine"))
              .map(RecordingTelemetry.Span::traceId)
              .collect(Collectors.toSet());
      assertThat(t1Traces).hasSize(1);
      Set<String> o1Traces =
          first.spans().stream()
              .filter(sp -> sp.name().endsWith(" only") || sp.name().endsWith(" fine"))
              .map(RecordingTelemetry.Span::traceId)
              .collect(Collectors.toSet());
      assertThat(o1Traces).hasSize(1).doesNotContainAnyElementsOf(t1Traces);
      // the resumed life has its own run span in the same trace; its steps are its children
      assertThat(second.spansNamed("saga.run tel")).isNotEmpty();
      Set<String> runSpans =
          second.spansNamed("saga.run tel").stream()
              .map(RecordingTelemetry.Span::spanId)
              .collect(Collectors.toSet());
      assertThat(second.spansNamed("saga.step b"))
          .hasSize(2)
          .allSatisfy(sp -> assertThat(runSpans).contains(sp.parentSpanId()))
          .allSatisfy(sp -> assertThat(sp.failed()).isTrue());
      assertThat(second.spansNamed("saga.compensate a"))
          .hasSize(2)
          .allSatisfy(sp -> assertThat(sp.failed()).isTrue());
      // steps run in the first life are not run (nor spanned) again after the restart
      assertThat(first.spansNamed("saga.step flaky")).hasSize(2);
      assertThat(second.spansNamed("saga.step a")).isEmpty();
      assertThat(second.spansNamed("saga.step flaky")).isEmpty();
      assertThat(first.tracing().openSpans()).isZero();
      assertThat(second.tracing().openSpans()).isZero();

      // RED per step (dependency) and per workflow (endpoint)
      assertThat(first.red())
          .contains(
              new RecordingTelemetry.Red("dependency", "saga.tel.a", Outcome.SUCCESS),
              new RecordingTelemetry.Red("dependency", "saga.tel.flaky", Outcome.SUCCESS),
              new RecordingTelemetry.Red("dependency", "saga.fine.only", Outcome.SUCCESS),
              new RecordingTelemetry.Red("endpoint", "saga.fine", Outcome.SUCCESS));
      assertThat(first.red())
          .filteredOn(r -> r.name().equals("saga.tel.flaky") && r.outcome() != Outcome.SUCCESS)
          .hasSize(1);
      assertThat(second.red())
          .filteredOn(r -> r.name().equals("saga.tel.b"))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.outcome()).isNotEqualTo(Outcome.SUCCESS));
      assertThat(second.red())
          .filteredOn(r -> r.name().equals("saga.tel.a.compensate"))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.outcome()).isNotEqualTo(Outcome.SUCCESS));
      assertThat(second.red())
          .filteredOn(r -> r.kind().equals("endpoint") && r.name().equals("saga.tel"))
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.outcome()).isNotEqualTo(Outcome.SUCCESS));

      // decisions
      assertThat(first.recordedDecisions())
          .allSatisfy(x -> assertThat(x.component()).isEqualTo("saga"));
      assertThat(first.decisionKinds()).containsExactly("retry");
      assertThat(first.recordedDecisions().get(0).reason()).contains("t-1").contains("flaky");
      // retries: step b once, then the compensation of a once
      assertThat(second.decisionKinds())
          .containsExactlyInAnyOrder("adopt", "retry", "compensate", "retry", "park");
      assertThat(second.recordedDecisions())
          .filteredOn(x -> x.decision().equals("retry"))
          .extracting(RecordingTelemetry.Decision::reason)
          .anySatisfy(r -> assertThat(r).contains("step b"))
          .anySatisfy(r -> assertThat(r).contains("compensation of a"));
      assertThat(second.recordedDecisions())
          .filteredOn(x -> x.decision().equals("adopt"))
          .singleElement()
          .satisfies(x -> assertThat(x.reason()).contains("t-1").contains("exec-dead"));
      assertThat(second.recordedDecisions())
          .allSatisfy(x -> assertThat(x.reason()).contains("t-1"));
    }
  }
}
