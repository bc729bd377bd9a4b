package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.events.OutgoingRecord;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.PayloadTooLargeException;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepView;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.testing.SagaTestKit;
import io.bulwark.saga.testing.StepFaults;
import io.bulwark.test.VirtualScheduler;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fencing, parallel compensation, payload limit, faults, parking and virtual time on SQLite. */
class EngineMechanismsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private final List<String> effects = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private SagaStore store() {
    SagaStore s = SagaStores.sqlite(dir.resolve("sagas.db"));
    open.add(s);
    return s;
  }

  private SagaEngine.Builder builder(SagaStore store, WorkflowDefinition<?, ?>... defs) {
    return SagaEngine.builder(store)
        .register(defs)
        .defaultRetry(RetryConfig.builder().maxAttempts(1).build())
        .defaultCompensationRetry(
            RetryConfig.builder()
                .maxAttempts(2)
                .fixedDelay(Duration.ofMillis(1))
                .retryOn(t -> true)
                .build());
  }

  private SagaEngine started(SagaEngine.Builder b) {
    SagaEngine e = b.build();
    open.add(e);
    return e;
  }

  private static long count(SagaStore store, String sql) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void parallelMembersAreCompensatedAtTheSameTime() throws Exception {
    CyclicBarrier both = new CyclicBarrier(2);
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "fan",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.parallel(
                      List.of(
                          Step.named("left", String.class)
                              .compensate(
                                  (s, r) -> {
                                    both.await(30, TimeUnit.SECONDS);
                                    effects.add("undo " + r);
                                  })
                              .action(s -> "L"),
                          Step.named("right", String.class)
                              .compensate(
                                  (s, r) -> {
                                    both.await(30, TimeUnit.SECONDS);
                                    effects.add("undo " + r);
                                  })
                              .action(s -> "R")));
                  wf.step(
                      "boom",
                      String.class,
                      s -> {
                        throw new IllegalStateException("boom");
                      });
                  return "unreachable";
                })
            .build();
    SagaEngine e = started(builder(store(), d));
    assertThatThrownBy(() -> e.start(d, "p-1", "x").await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("COMPENSATED");
    // each compensation waited at the barrier for the other: they ran at the same time
    assertThat(effects).containsExactlyInAnyOrder("undo L", "undo R");
    RunView v = e.run("p-1").orElseThrow();
    assertThat(v.steps())
        .extracting(StepView::status)
        .containsExactly("COMPENSATED", "COMPENSATED", "FAILED");
  }

  @Test
  void anExhaustedCompensationParksAndSkipFinishesTheCompensation() throws Exception {
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "park",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("a", String.class, s -> "A", (s, r) -> effects.add("undo a"));
                  wf.step("b", String.class, s -> "B", (s, r) -> effects.add("undo b"));
                  wf.step(
                      "c",
                      String.class,
                      s -> {
                        throw new IllegalStateException("c fails");
                      });
                  return "x";
                })
            .build();
    StepFaults faults =
        StepFaults.none()
            .fail(
                "park", "b", StepFaults.Target.COMPENSATION, 0, () -> new RuntimeException("down"));
    SagaEngine e = started(builder(store(), d).faults(faults));
    assertThatThrownBy(() -> e.start(d, "k-1", "x").await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("PARKED")
        .hasMessageContaining("compensation of step b failed after 2 attempts")
        .hasMessageContaining("down");
    assertThat(effects).isEmpty(); // a is compensated only after b
    StepView b = e.run("k-1").orElseThrow().steps().get(1);
    assertThat(b.status()).isEqualTo("COMPENSATION_FAILED");
    assertThat(b.compensationAttempts()).isEqualTo(2);
    e.skip("k-1");
    assertThatThrownBy(() -> e.handle("k-1", String.class).await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("COMPENSATED");
    assertThat(effects).containsExactly("undo a");
    assertThat(e.run("k-1").orElseThrow().timeline()).extracting(x -> x.kind()).contains("skipped");
  }

  @Test
  void aPayloadOverTheLimitIsRefusedNamingRunStepAndSizesAndNothingIsStored() throws Exception {
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "big",
                String.class,
                String.class,
                (wf, in) -> wf.step("huge", String.class, s -> "y".repeat(5_000)))
            .build();
    SagaStore store = store();
    SagaEngine e = started(builder(store, d).maxPayloadBytes(1_000));
    assertThatThrownBy(() -> e.start(d, "big-0", "x".repeat(2_000)))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessageContaining("run big-0")
        .hasMessageContaining("input")
        .hasMessageContaining("2002 bytes")
        .hasMessageContaining("1000");
    assertThat(e.run("big-0")).isEmpty();
    assertThatThrownBy(() -> e.start(d, "big-1", "x").await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("step huge is 5002 bytes of JSON, over the limit of 1000");
    StepView huge = e.run("big-1").orElseThrow().steps().get(0);
    assertThat(huge.status()).isEqualTo("FAILED");
    assertThat(huge.outputJson()).isNull();
  }

  @Test
  void aDuplicateStepNameFailsTheRunWhichIsCompensated() throws Exception {
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "dup",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("same", String.class, s -> "1", (s, r) -> effects.add("undo 1"));
                  return wf.step("same", String.class, s -> "2");
                })
            .build();
    SagaEngine e = started(builder(store(), d));
    assertThatThrownBy(() -> e.start(d, "d-1", "x").await(WAIT))
        .isInstanceOf(RunFailedException.class)
        .hasMessageContaining("uses step name 'same' twice (step 0 and step 1)");
    assertThat(effects).containsExactly("undo 1");
  }

  @Test
  void aTransactionalStepCommitsItsWritesCheckpointAndOutboxTogether() throws Exception {
    SagaStore store = store();
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER)");
      s.execute("INSERT INTO stock VALUES ('apple', 10)");
    }
    WorkflowDefinition<String, Integer> d =
        WorkflowDefinition.builder(
                "tx",
                String.class,
                Integer.class,
                (wf, in) ->
                    wf.step(
                        Step.named("take", Integer.class)
                            .transactional()
                            .action(
                                s -> {
                                  try (Statement st = s.connection().createStatement()) {
                                    st.executeUpdate(
                                        "UPDATE stock SET qty = qty - 1 WHERE sku = 'apple'");
                                  }
                                  s.outbox(
                                      OutgoingRecord.builder("stock")
                                          .key(s.idempotencyKey())
                                          .value(new byte[] {1})
                                          .build());
                                  if (s.attempt() == 1) {
                                    throw new java.io.IOException("blip after the write");
                                  }
                                  return s.attempt();
                                })))
            .build();
    SagaEngine e =
        started(
            builder(store, d)
                .defaultRetry(
                    RetryConfig.builder().maxAttempts(3).fixedDelay(Duration.ofMillis(1)).build()));
    assertThat(e.start(d, "t-1", "x").await(WAIT)).isEqualTo(2);
    // attempt 1 wrote and failed: rolled back with its outbox record; attempt 2 committed once
    assertThat(count(store, "SELECT qty FROM stock")).isEqualTo(9);
    assertThat(count(store, "SELECT COUNT(*) FROM bulwark_outbox")).isEqualTo(1);
  }

  @Test
  void anExecutorThatLostItsRunWritesNothing() throws Exception {
    SagaStore store = store();
    CountDownLatch inStep = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch hold = new CountDownLatch(1);
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE money (total INTEGER)");
      s.execute("INSERT INTO money VALUES (0)");
    }
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "zombie",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step(
                      Step.named("pay", String.class)
                          .transactional()
                          .action(
                              s -> {
                                try (Statement st = s.connection().createStatement()) {
                                  st.executeUpdate("UPDATE money SET total = total + 100");
                                }
                                inStep.countDown();
                                go.await();
                                return "paid";
                              }));
                  // keeps the run from completing before the adoption, whichever commit came first
                  wf.step(
                      "hold",
                      String.class,
                      s -> {
                        hold.await();
                        return "held";
                      });
                  return "done";
                })
            .build();
    SagaEngine e = started(builder(store, d));
    e.start(d, "z-1", "x");
    assertThat(inStep.await(20, TimeUnit.SECONDS)).isTrue();
    // another executor adopts the run while this one is inside the step (as after a lease lapse)
    Thread adopter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (Connection c = store.dataSource().getConnection();
                      Statement s = c.createStatement()) {
                    s.executeUpdate(
                        "UPDATE saga_runs SET owner = 'other', fence = fence + 1 WHERE run_id ="
                            + " 'z-1'");
                  } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                  }
                });
    go.countDown();
    adopter.join();
    hold.countDown();
    SagaTestKit.awaitIdle(e, WAIT);
    // either the adoption came first (the zombie's commit fenced out: nothing written) or the
    // zombie committed first (then the adopter's bump came after: the step is stored once)
    long total = count(store, "SELECT total FROM money");
    long steps =
        count(store, "SELECT COUNT(*) FROM saga_steps WHERE run_id = 'z-1' AND name = 'pay'");
    assertThat(total).isEqualTo(steps * 100);
    RunView v = e.run("z-1").orElseThrow();
    assertThat(v.owner()).isEqualTo("other");
    assertThat(v.status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void durableSleepsAndSignalTimeoutsRunInVirtualTime() throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "slow",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step("before", String.class, s -> "b");
                  wf.sleep("three-days", Duration.ofDays(3));
                  Optional<String> ok =
                      wf.awaitSignal("approval", "approve", String.class, Duration.ofDays(1));
                  Optional<String> late =
                      wf.awaitSignal("second", "never", String.class, Duration.ofHours(5));
                  return ok.orElse("none") + "/" + late.orElse("timeout");
                })
            .build();
    SagaEngine e = started(builder(store(), d).scheduler(clock).poll(Duration.ofHours(1)));
    e.start(d, "v-1", "x");
    SagaTestKit.awaitIdle(e, WAIT);
    assertThat(e.run("v-1").orElseThrow().status()).isEqualTo(RunStatus.WAITING);
    e.signal("v-1", "approve", "yes"); // sent before the run waits for it: kept
    clock.advance(Duration.ofDays(2));
    SagaTestKit.awaitIdle(e, WAIT);
    assertThat(e.run("v-1").orElseThrow().status()).isEqualTo(RunStatus.WAITING);
    clock.advance(Duration.ofDays(1).plusMinutes(1));
    SagaTestKit.awaitIdle(e, WAIT);
    assertThat(e.run("v-1").orElseThrow().steps()).hasSize(4);
    clock.advance(Duration.ofHours(6));
    SagaTestKit.awaitIdle(e, WAIT);
    assertThat(e.handle("v-1", String.class).await(WAIT)).isEqualTo("yes/timeout");
  }

  @Test
  void aCompensationRetryIsStoredAndARestartedEngineMakesTheNextAttemptNotTheSameOneAgain()
      throws Exception {
    VirtualScheduler clock = new VirtualScheduler();
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "undo",
                String.class,
                String.class,
                (wf, in) -> {
                  wf.step(
                      "a", String.class, s -> "A", (s, r) -> effects.add("undo a " + s.attempt()));
                  wf.step(
                      "b", String.class, s -> "B", (s, r) -> effects.add("undo b " + s.attempt()));
                  wf.step(
                      "c",
                      String.class,
                      s -> {
                        throw new IllegalStateException("c fails");
                      });
                  return "x";
                })
            .build();
    StepFaults faults =
        StepFaults.none()
            .fail(
                "undo", "b", StepFaults.Target.COMPENSATION, 1, () -> new RuntimeException("down"));
    RetryConfig slow = RetryConfig.builder().maxAttempts(5).fixedDelay(Duration.ofHours(1)).build();
    SagaStore store = store();
    SagaEngine first =
        builder(store, d).scheduler(clock).faults(faults).defaultCompensationRetry(slow).build();
    first.start(d, "u-1", "x");
    SagaTestKit.awaitIdle(first, WAIT);
    StepView b = first.run("u-1").orElseThrow().steps().get(1);
    assertThat(b.status()).isEqualTo("COMPENSATING");
    assertThat(b.compensationAttempts()).isEqualTo(1);
    assertThat(b.nextAttemptAt()).isNotNull();
    first.close();
    SagaEngine second =
        started(builder(store, d).scheduler(clock).faults(faults).defaultCompensationRetry(slow));
    SagaTestKit.awaitIdle(second, WAIT);
    assertThat(effects).isEmpty(); // the backoff is stored: no attempt before it passes
    clock.advance(Duration.ofHours(1).plusMinutes(1));
    SagaTestKit.awaitIdle(second, WAIT);
    assertThat(second.run("u-1").orElseThrow().status()).isEqualTo(RunStatus.COMPENSATED);
    assertThat(effects).containsExactly("undo b 2", "undo a 1");
  }
}
