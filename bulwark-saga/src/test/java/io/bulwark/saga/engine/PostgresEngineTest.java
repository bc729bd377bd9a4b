package io.bulwark.saga.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.RunEvent;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStoreException;
import io.bulwark.saga.SagaStores;
import io.bulwark.saga.Step;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.testing.SagaTestKit;
import io.bulwark.test.postgres.PostgresTestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two executors on one PostgreSQL store: shared work, adoption of a dead executor's run, fencing.
 */
class PostgresEngineTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private SagaStore store(String url) {
    SagaStore s = SagaStores.postgres(url, "postgres", "", 8);
    open.add(s);
    return s;
  }

  private SagaEngine engine(SagaStore store, String id, WorkflowDefinition<?, ?>... defs) {
    return engine(store, id, b -> b, defs);
  }

  /** As {@link #engine(SagaStore, String, WorkflowDefinition[])}, with {@code more} settings. */
  private SagaEngine engine(
      SagaStore store,
      String id,
      java.util.function.UnaryOperator<SagaEngine.Builder> more,
      WorkflowDefinition<?, ?>... defs) {
    SagaEngine e =
        more.apply(SagaEngine.builder(store))
            .register(defs)
            .executorId(id)
            .lease(Duration.ofSeconds(3), Duration.ofSeconds(1))
            .poll(Duration.ofMillis(200))
            .defaultRetry(RetryConfig.builder().maxAttempts(1).build())
            .build();
    open.add(e);
    return e;
  }

  private WorkflowDefinition<String, String> threeSteps() {
    return WorkflowDefinition.builder(
            "three",
            String.class,
            String.class,
            (wf, in) -> {
              StringBuilder out = new StringBuilder();
              for (String step : List.of("reserve", "charge", "ship")) {
                out.append(
                    wf.step(
                        step,
                        String.class,
                        s -> {
                          effects
                              .computeIfAbsent(s.idempotencyKey(), k -> new AtomicInteger())
                              .incrementAndGet();
                          return s.stepName().substring(0, 1);
                        }));
              }
              return out.toString();
            })
        .build();
  }

  /**
   * On PostgreSQL a run's last step checkpoint and its completion are one statement: the step row,
   * the run's end and the two timeline entries, in order, commit together; and when the run's fence
   * moved before that statement (an adopter took the run), none of it is written: the step runs
   * again under the new fence, which proves its first result was not stored.
   */
  @Test
  void theLastCheckpointAndTheCompletionCommitTogetherAndAFencedOneWritesNothing()
      throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    SagaStore store = store(url);
    java.util.concurrent.atomic.AtomicBoolean bump =
        new java.util.concurrent.atomic.AtomicBoolean();
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "fold",
                String.class,
                String.class,
                (wf, in) -> {
                  String a = wf.step("reserve", String.class, st -> count(st, "r"));
                  return a
                      + wf.step(
                          "ship",
                          String.class,
                          st -> {
                            if (bump.getAndSet(false)) {
                              // as if another executor had taken the run and died: its fence
                              // bump lands between this step and the completion, and its
                              // expired lease lets this executor adopt the run again
                              try (Connection c = store.dataSource().getConnection();
                                  PreparedStatement ps =
                                      c.prepareStatement(
                                          "UPDATE saga_runs SET fence = fence + 1, owner ="
                                              + " 'gone', lease_until = 0 WHERE run_id = ?")) {
                                ps.setString(1, st.runId());
                                ps.executeUpdate();
                              }
                            }
                            return count(st, "s");
                          });
                })
            .build();
    SagaEngine e = engine(store, "exec-fold", d);

    assertThat(e.start(d, "plain", "x").await(WAIT)).isEqualTo("rs");
    RunView plain = e.run("plain").orElseThrow();
    assertThat(plain.status()).isEqualTo(RunStatus.COMPLETED);
    List<String> kinds = plain.timeline().stream().map(RunEvent::kind).toList();
    assertThat(kinds.subList(kinds.size() - 2, kinds.size()))
        .containsExactly("step-completed", "completed");
    assertThat(plain.timeline().get(kinds.size() - 2).detail()).startsWith("ship");
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT (SELECT xmin::text FROM saga_steps WHERE run_id = ? AND name = 'ship'),"
                    + " (SELECT xmin::text FROM saga_runs WHERE run_id = ?)")) {
      ps.setString(1, "plain");
      ps.setString(2, "plain");
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).as("one transaction").isEqualTo(rs.getString(2));
      }
    }

    bump.set(true);
    assertThat(e.start(d, "fenced", "x").await(WAIT)).isEqualTo("rs");
    assertThat(effects.get("fenced:1:ship").get())
        .as("ship ran again: nothing of it was stored")
        .isEqualTo(2);
    assertThat(effects.get("fenced:0:reserve").get())
        .as("reserve's stored result was reused")
        .isOne();
    assertThat(e.run("fenced").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
  }

  private String count(io.bulwark.saga.StepContext st, String result) {
    effects.computeIfAbsent(st.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
    return result;
  }

  @Test
  void aStartOnTheUnlimitedDefaultQueueTakesNoQueueLockWhileOneOnALimitedQueueWaitsForIt()
      throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    WorkflowDefinition<String, String> d = threeSteps();
    SagaStore store = store(url);
    SagaEngine e =
        engine(store, "exec-q", b -> b.queue(io.bulwark.saga.QueueConfig.of("limited", 10)), d);
    assertThat(e.start(d, "warm", "x").await(WAIT)).isEqualTo("rcs"); // recovered, claiming
    // another session holds the limited queue's lock (the key the engine derives from its name)
    try (Connection holder = store.dataSource().getConnection();
        Statement hs = holder.createStatement()) {
      hs.execute("SELECT pg_advisory_lock(" + (0x5A6A000000000000L ^ "limited".hashCode()) + ")");
      // the default queue has no limit: its start counts nothing and locks nothing
      assertThat(e.start(d, "free", "x").await(WAIT)).isEqualTo("rcs");
      // control: a start on the limited queue must count under the lock, so it waits for it
      java.util.concurrent.CompletableFuture<String> blocked =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return e.start(
                          d,
                          "counted",
                          "x",
                          io.bulwark.saga.StartOptions.defaults().withQueue("limited"))
                      .await(WAIT);
                } catch (Exception ex) {
                  throw new IllegalStateException(ex);
                }
              });
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (waitingForAdvisoryLock(holder) == 0) {
        assertThat(System.nanoTime()).as("a backend waits for the queue lock").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThat(blocked).isNotDone();
      hs.execute("SELECT pg_advisory_unlock_all()");
      assertThat(blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("rcs");
    }
  }

  /** Backends of this database waiting (not granted) for an advisory lock. */
  private static int waitingForAdvisoryLock(Connection c) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void twoExecutorsShareRunsAndEveryStepRunsOnce() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    WorkflowDefinition<String, String> d = threeSteps();
    SagaEngine a = engine(store(url), "exec-a", d);
    SagaEngine b = engine(store(url), "exec-b", d);
    List<RunHandle<String>> handles = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      handles.add((i % 2 == 0 ? a : b).start(d, "run-" + i, "x"));
    }
    for (RunHandle<String> h : handles) {
      assertThat(h.await(WAIT)).isEqualTo("rcs");
    }
    assertThat(effects).hasSize(120);
    assertThat(effects.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
  }

  @Test
  void anotherExecutorAdoptsTheRunOfADeadOneAfterItsLease() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    WorkflowDefinition<String, String> d = threeSteps();
    SagaStore store = store(url);
    // a run held by an executor that died after its first step (its lease already lapsed)
    SagaEngine first = engine(store, "exec-dead", d);
    first.close();
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO saga_runs (run_id, workflow, version, wf_key, status, phase, queue,"
              + " priority, input_json, owner, lease_until, fence, context_json, created_at,"
              + " updated_at) VALUES ('orphan', 'three', 1, 'three@1', 'RUNNING', 'RUN',"
              + " 'default', 0, '\"x\"', 'exec-dead', 1, 1, '{}', 1, 1)");
      s.executeUpdate(
          "INSERT INTO saga_steps (run_id, idx, name, kind, grp, status, output_json, attempts,"
              + " comp_attempts, has_comp) VALUES ('orphan', 0, 'reserve', 'STEP', 0,"
              + " 'COMPLETED', '\"r\"', 1, 0, 0)");
    }
    SagaEngine b = engine(store, "exec-b", d);
    assertThat(b.handle("orphan", String.class).await(WAIT)).isEqualTo("rcs");
    // the completed step was not run again
    assertThat(effects.keySet()).containsExactlyInAnyOrder("orphan:1:charge", "orphan:2:ship");
    RunView v = b.run("orphan").orElseThrow();
    assertThat(v.timeline())
        .extracting(RunEvent::kind, RunEvent::detail)
        .contains(org.assertj.core.groups.Tuple.tuple("adopted", "by exec-b from exec-dead"));
  }

  @Test
  void aZombieWhoseRunWasAdoptedRollsItsTransactionalStepBack() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    SagaStore store = store(url);
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE money (total INTEGER)");
      s.execute("INSERT INTO money VALUES (0)");
    }
    CountDownLatch inStep = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "zombie",
                String.class,
                String.class,
                (wf, in) ->
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
                                })))
            .build();
    SagaEngine e = engine(store, "exec-zombie", d);
    e.start(d, "z", "x");
    assertThat(inStep.await(20, TimeUnit.SECONDS)).isTrue();
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                // exec-other adopted the run and keeps its lease (no lapse for this executor's
                // poll to adopt it back, however long this test is held up)
                "UPDATE saga_runs SET owner = 'exec-other', fence = fence + 1, lease_until = "
                    + Long.MAX_VALUE
                    + " WHERE run_id = 'z'")) {
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    go.countDown();
    SagaTestKit.awaitIdle(e, WAIT);
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT total FROM money")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
    RunView v = e.run("z").orElseThrow();
    assertThat(v.steps()).isEmpty();
    assertThat(v.owner()).isEqualTo("exec-other");
    assertThat(v.status()).isEqualTo(RunStatus.RUNNING);
  }

  /**
   * One saga alone (nothing to share a commit with) costs four write transactions: the start claims
   * its run in its own insert (no claim transaction), each step's checkpoint commits before the
   * next step starts, and the last one commits with the run's completion. Counted with the server's
   * transaction ids (a transaction that writes takes one); timers are set far out so no heartbeat
   * or poll writes in between. The shared test server runs without autovacuum, whose ANALYZE of any
   * database would take ids too; two of slack all the same.
   */
  @Test
  void aSagaAloneCommitsFourTransactionsStartAndStepsAndCompletion() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    WorkflowDefinition<String, String> d = threeSteps();
    SagaStore store = store(url);
    SagaEngine e =
        SagaEngine.builder(store)
            .register(d)
            .executorId("exec-count")
            .lease(Duration.ofMinutes(15), Duration.ofMinutes(5))
            .poll(Duration.ofMinutes(5))
            .build();
    open.add(e);
    assertThat(e.start(d, "warm", "x").await(WAIT)).isEqualTo("rcs");
    int runs = 20;
    long before = transactionId(store);
    for (int i = 0; i < runs; i++) {
      assertThat(e.start(d, "count-" + i, "x").await(WAIT)).isEqualTo("rcs");
    }
    long written = transactionId(store) - before - 1;
    assertThat(written)
        .as("write transactions for %d sagas", runs)
        .isBetween(4L * runs, 4L * runs + 2);
    for (int i = 0; i < runs; i++) {
      RunView v = e.run("count-" + i).orElseThrow();
      assertThat(v.status()).isEqualTo(RunStatus.COMPLETED);
      assertThat(v.owner()).isNull();
      assertThat(v.steps())
          .extracting(io.bulwark.saga.StepView::name, io.bulwark.saga.StepView::status)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("reserve", "COMPLETED"),
              org.assertj.core.groups.Tuple.tuple("charge", "COMPLETED"),
              org.assertj.core.groups.Tuple.tuple("ship", "COMPLETED"));
      assertThat(v.timeline())
          .extracting(RunEvent::kind)
          .containsExactly(
              "started", "step-completed", "step-completed", "step-completed", "completed");
    }
    assertThat(effects).hasSize(3 * (runs + 1));
  }

  /**
   * A checkpoint of a step that left the run's state alone only locks the run row: the row keeps
   * its version (xmin) from the start to the last step; a state change is still written with the
   * step's checkpoint (the row gets a new version) and read back.
   */
  @Test
  void aCheckpointRewritesTheRunRowOnlyWhenTheStateChanged() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    SagaStore store = store(url);
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "versions",
                String.class,
                String.class,
                (wf, in) -> {
                  long a = wf.step("a", Long.class, s -> rowVersion(store, s.runId()));
                  long b =
                      wf.step(
                          "b",
                          Long.class,
                          s -> {
                            if (in.equals("with-state")) {
                              // set inside the action: stored with b's checkpoint
                              wf.state().put("seen", "b");
                            }
                            return rowVersion(store, s.runId());
                          });
                  long c = wf.step("c", Long.class, s -> rowVersion(store, s.runId()));
                  return a + "," + b + "," + c;
                })
            .build();
    // no heartbeat in between: a lease renewal would give the row a new version too
    SagaEngine e =
        SagaEngine.builder(store)
            .register(d)
            .executorId("exec-versions")
            .lease(Duration.ofMinutes(15), Duration.ofMinutes(5))
            .poll(Duration.ofMinutes(5))
            .build();
    open.add(e);
    String[] plain = e.start(d, "plain", "no-state").await(WAIT).split(",", -1);
    assertThat(plain[1]).as("row version after a's checkpoint").isEqualTo(plain[0]);
    assertThat(plain[2]).as("row version after b's checkpoint").isEqualTo(plain[0]);
    String[] stated = e.start(d, "stated", "with-state").await(WAIT).split(",", -1);
    assertThat(stated[1]).as("a's checkpoint, state untouched").isEqualTo(stated[0]);
    assertThat(stated[2]).as("b's checkpoint carries the state").isNotEqualTo(stated[1]);
    RunView v = e.run("stated").orElseThrow();
    assertThat(v.state()).containsEntry("seen", "\"b\"");
    assertThat(v.steps()).extracting(io.bulwark.saga.StepView::status).containsOnly("COMPLETED");
    assertThat(v.timeline())
        .extracting(RunEvent::kind)
        .containsExactly(
            "started", "step-completed", "step-completed", "step-completed", "completed");
    assertThat(e.run("plain").orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
  }

  private static long rowVersion(SagaStore store, String runId) {
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT xmin::text::bigint FROM saga_runs WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    } catch (java.sql.SQLException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /**
   * Runs started at once on two executors into a queue of 2 claim in their inserts only while the
   * queue has room: the count is taken under the queue's advisory lock, so the limit holds across
   * executors; the rest wait PENDING and the pumps start them as slots free.
   */
  @Test
  void startsOnTwoExecutorsAtOnceKeepTheQueueLimit() throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    AtomicInteger active = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    java.util.concurrent.Semaphore entered = new java.util.concurrent.Semaphore(0);
    java.util.concurrent.Semaphore gate = new java.util.concurrent.Semaphore(0);
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "gated",
                String.class,
                String.class,
                (wf, in) ->
                    wf.step(
                        "work",
                        String.class,
                        s -> {
                          most.accumulateAndGet(active.incrementAndGet(), Math::max);
                          entered.release();
                          try {
                            assertThat(gate.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
                          } finally {
                            active.decrementAndGet();
                          }
                          return in;
                        }))
            .queue("two")
            .build();
    List<SagaEngine> engines = new ArrayList<>();
    for (String id : List.of("exec-q1", "exec-q2")) {
      SagaEngine e =
          SagaEngine.builder(store(url))
              .register(d)
              .executorId(id)
              .queue(io.bulwark.saga.QueueConfig.of("two", 2))
              .poll(Duration.ofMillis(100))
              .build();
      open.add(e);
      engines.add(e);
    }
    int runs = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> starters = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      SagaEngine e = engines.get(i % 2);
      String id = "q-" + i;
      starters.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      go.await();
                      e.start(d, id, id);
                    } catch (InterruptedException ie) {
                      Thread.currentThread().interrupt();
                    }
                  }));
    }
    go.countDown();
    for (Thread t : starters) {
      t.join();
    }
    assertThat(entered.tryAcquire(2, 30, TimeUnit.SECONDS)).isTrue();
    // one at a time: a run leaves, and another must come in before the next may leave
    for (int i = 2; i < runs; i++) {
      gate.release();
      assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    }
    gate.release(2);
    for (int i = 0; i < runs; i++) {
      assertThat(engines.get(0).handle("q-" + i, String.class).await(WAIT)).isEqualTo("q-" + i);
    }
    assertThat(most.get()).isEqualTo(2);
  }

  /**
   * The heartbeat extends its runs' leases without waiting for a run row another transaction holds:
   * another session locks run b, the heartbeat renews a and c (committed while b is still locked,
   * so it did not wait for b), the session then locks c and a in the opposite order (a heartbeat
   * holding them while waiting for b was the deadlock) and gets them, and once b is free a later
   * beat renews it too.
   */
  @Test
  void aHeartbeatRenewsTheLeasesItCanLockAndNeverWaitsForARowAnotherTransactionHolds()
      throws Exception {
    String url = PostgresTestServer.shared().createDatabase();
    CountDownLatch entered = new CountDownLatch(3);
    CountDownLatch release = new CountDownLatch(1);
    WorkflowDefinition<String, String> d =
        WorkflowDefinition.builder(
                "held",
                String.class,
                String.class,
                (wf, in) ->
                    wf.step(
                        "hold",
                        String.class,
                        s -> {
                          entered.countDown();
                          release.await();
                          return in;
                        }))
            .build();
    SagaStore store = store(url);
    SagaEngine e =
        SagaEngine.builder(store)
            .register(d)
            .executorId("exec-hb")
            .lease(Duration.ofSeconds(30), Duration.ofMillis(100))
            .build();
    open.add(e);
    List<RunHandle<String>> handles = new ArrayList<>();
    for (String id : List.of("hb-a", "hb-b", "hb-c")) {
      handles.add(e.start(d, id, id));
    }
    assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    try (Connection holder = store.dataSource().getConnection();
        Connection reader = store.dataSource().getConnection();
        Statement hs = holder.createStatement()) {
      holder.setAutoCommit(false);
      hs.execute("SET LOCAL lock_timeout = '20s'");
      hs.execute("SELECT run_id FROM saga_runs WHERE run_id = 'hb-b' FOR UPDATE");
      Map<String, Long> before = leases(reader);
      assertThat(before.keySet()).containsExactly("hb-a", "hb-b", "hb-c");
      long deadline = System.nanoTime() + WAIT.toNanos();
      Map<String, Long> now = leases(reader);
      while (now.get("hb-a") <= before.get("hb-a") || now.get("hb-c") <= before.get("hb-c")) {
        assertThat(System.nanoTime())
            .as("a and c renewed while b is locked by another session (leases %s)", now)
            .isLessThan(deadline);
        now = leases(reader);
      }
      assertThat(now.get("hb-b")).as("b is locked: not renewed").isEqualTo(before.get("hb-b"));
      // the opposite order to the heartbeat's: a heartbeat waiting for b while holding a and c
      // would make this a deadlock (or a lock timeout)
      try (ResultSet rs =
          hs.executeQuery(
              "SELECT run_id FROM saga_runs WHERE run_id IN ('hb-c', 'hb-a') ORDER BY run_id DESC"
                  + " FOR UPDATE")) {
        int locked = 0;
        while (rs.next()) {
          locked++;
        }
        assertThat(locked).isEqualTo(2);
      }
      holder.commit();
      while (leases(reader).get("hb-b") <= before.get("hb-b")) {
        assertThat(System.nanoTime()).as("b renewed once free").isLessThan(deadline);
      }
    }
    release.countDown();
    for (RunHandle<String> h : handles) {
      assertThat(h.await(WAIT)).isEqualTo(h.runId());
    }
  }

  /** The lease of every run of this database, by run id (in run-id order). */
  private static Map<String, Long> leases(Connection c) throws Exception {
    Map<String, Long> out = new java.util.TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT run_id, lease_until FROM saga_runs WHERE owner IS NOT NULL")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  private static long transactionId(SagaStore store) throws Exception {
    try (Connection c = store.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT txid_current()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void anUnreachableStoreFailsFastNamingTheUrl() {
    String url = "jdbc:postgresql://127.0.0.1:1/nothing";
    assertThatThrownBy(() -> SagaStores.postgres(url, "postgres", "", 2))
        .isInstanceOf(SagaStoreException.class)
        .hasMessageContaining(url)
        .hasMessageContaining("cannot be reached");
  }
}
