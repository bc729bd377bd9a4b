package io.bulwark.saga.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.fault.FaultInjector;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultTag;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.events.outbox.Outbox;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.saga.PayloadTooLargeException;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepFailedException;
import io.bulwark.saga.internal.Control.Fenced;
import io.bulwark.saga.internal.Control.Park;
import io.bulwark.saga.internal.Control.Release;
import io.bulwark.saga.internal.Control.StepTimeout;
import io.bulwark.saga.internal.Control.StopReplay;
import io.bulwark.saga.internal.Control.Suspend;
import io.bulwark.saga.testing.StepFaults;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Runs a step: returns its stored result when it completed before, else tries it (on its own
 * virtual thread, bounded by its timeout on the engine's scheduler) and checkpoints the outcome:
 * COMPLETED with the result; RETRYING with the attempt count and the next attempt's time (then the
 * run waits durably); FAILED when the error is not retried or the attempts are spent. A
 * transactional step's action, its checkpoint and its outbox records commit in one transaction on a
 * connection of the store, conditional on the run's fence.
 */
final class StepRunner {
  private static final Outbox OUTBOX_TABLE = Outbox.create();
  private final Execution ex;

  StepRunner(Execution ex) {
    this.ex = ex;
  }

  <T> T run(int idx, int group, Step<T> step) throws Exception {
    Rows.StepRow row = ex.storedAt(idx, step.name(), "STEP");
    if (step.compensation() != null) {
      ex.compensable.put(idx, step);
    }
    if (row != null && hasResult(row.status())) {
      return decode(row.outputJson(), step.type());
    }
    if (ex.replay) {
      throw new StopReplay();
    }
    if (row != null && row.status().equals("FAILED")) {
      // the same message as when the failure happened, also after a restart
      throw new StepFailedException(
          ex.runId,
          step.name(),
          row.attempts(),
          failedMessage(step.name(), row.attempts(), String.valueOf(row.error())),
          null);
    }
    ex.checkInterrupts();
    long now = ex.engine.clock.wallMillis();
    if (row != null && row.nextAttemptAt() > now) {
      throw new Suspend(row.nextAttemptAt());
    }
    int attempt = (row == null ? 0 : row.attempts()) + 1;
    long started = row == null || row.startedAt() == 0 ? now : row.startedAt();
    return attempt(idx, group, step, attempt, started);
  }

  private String failedMessage(String step, int attempts, String error) {
    return "run "
        + ex.runId
        + ": step "
        + step
        + " failed for good after "
        + attempts
        + (attempts == 1 ? " attempt: " : " attempts: ")
        + error;
  }

  /** A step that completed (and may since be under compensation) has its result stored. */
  private static boolean hasResult(String status) {
    return switch (status) {
      case "COMPLETED", "COMPENSATING", "COMPENSATED", "COMPENSATION_FAILED" -> true;
      default -> false;
    };
  }

  @SuppressWarnings("NullAway") // a step's result may be null (a Void step)
  private <T> T decode(@Nullable String json, Class<T> type) {
    return ex.engine.json.decode(json, type);
  }

  @SuppressWarnings("NullAway") // a step's result may be null (a Void step)
  private <T> T attempt(int idx, int group, Step<T> step, int attempt, long started)
      throws Exception {
    SagaEngineImpl engine = ex.engine;
    TelemetrySpan span =
        engine
            .settings
            .telemetry()
            .tracing()
            .startSpan("saga.step " + step.name(), SpanKind.INTERNAL, ex.context);
    span.attribute("saga.step.index", idx);
    span.attribute("saga.step.attempt", attempt);
    Duration timeout =
        step.timeout() != null ? step.timeout() : engine.settings.defaultStepTimeout();
    long t0 = engine.clock.nanoTime();
    CompletableFuture<@Nullable Object> result = new CompletableFuture<>();
    AtomicBoolean decided = new AtomicBoolean();
    StepCtx sc =
        new StepCtx(ex.runId, step.name(), idx, attempt, span.context(), step.transactional());
    ex.state.activeActions.incrementAndGet();
    Thread worker =
        Thread.ofVirtual()
            .name("saga-step-" + ex.runId + "-" + idx)
            .start(() -> runAction(step, idx, group, attempt, started, sc, decided, result));
    ScheduledTask timer =
        engine
            .settings
            .scheduler()
            .schedule(
                timeout,
                () -> {
                  if (decided.compareAndSet(false, true)) {
                    result.completeExceptionally(
                        new StepTimeout(
                            "step "
                                + step.name()
                                + " attempt "
                                + attempt
                                + " took over "
                                + timeout));
                    worker.interrupt();
                  }
                });
    Throwable failure = null;
    Object value = null;
    try {
      value = result.get();
    } catch (ExecutionException e) {
      failure = e.getCause() == null ? e : e.getCause();
    } catch (InterruptedException e) {
      worker.interrupt();
      span.end();
      throw new Release();
    } finally {
      timer.cancel();
      ex.state.activeActions.decrementAndGet();
    }
    FaultTag fault = sc.fault;
    if (fault != null) {
      fault.tag(span);
    }
    SagaCohort.tag(span, ex.context, fault);
    String red = "saga." + ex.row().workflow() + "." + step.name();
    long took = engine.clock.nanoTime() - t0;
    try {
      if (failure instanceof Fenced f) {
        throw f;
      }
      if (failure == null) {
        span.end();
        SagaCohort.record(
            engine.settings.telemetry().dependency(red), Outcome.SUCCESS, took, ex.context, fault);
        if (!step.transactional()) {
          checkpointCompleted(idx, group, step, attempt, started, sc.outputJson);
        }
        @SuppressWarnings("unchecked")
        T t = (T) value;
        return t;
      }
      span.fail(failure);
      span.end();
      SagaCohort.record(
          engine.settings.telemetry().dependency(red),
          Outcome.of(failure),
          took,
          ex.context,
          fault);
      return failed(idx, group, step, attempt, started, failure);
    } finally {
      span.end();
    }
  }

  private <T> void runAction(
      Step<T> step,
      int idx,
      int group,
      int attempt,
      long started,
      StepCtx sc,
      AtomicBoolean decided,
      CompletableFuture<@Nullable Object> result) {
    Connection tx = null;
    boolean locked = false;
    try {
      Exception fault =
          ex.engine
              .settings
              .faults()
              .faultFor(ex.row().workflow(), step.name(), StepFaults.Target.ACTION, attempt);
      FaultInjector fi = FaultPoints.injector();
      if (fi != null) { // before the store's write lock: a delay must not hold it
        sc.context().call(() -> StepChaos.before(fi, ex.row().workflow(), sc));
      }
      if (step.transactional()) {
        ex.engine.store.lockWrites();
        locked = true;
        tx = ex.engine.store.dataSource().getConnection();
        tx.setAutoCommit(false);
        sc.connection = tx;
      }
      if (fault != null) {
        throw fault;
      }
      T value =
          fi == null
              ? sc.context().call(() -> step.action().run(sc))
              : sc.context()
                  .call(
                      () -> StepChaos.after(ex.row().workflow(), sc, () -> step.action().run(sc)));
      String out = ex.engine.json.encode(ex.runId, "step " + step.name(), value);
      sc.outputJson = out;
      if (tx != null) {
        Writer.Statements s = new Writer.Statements(tx);
        try {
          long now = ex.engine.clock.wallMillis();
          if (!ex.touch(s, now, ex.state.takeDirty())) {
            throw new Fenced();
          }
          writeCompleted(s, now, idx, group, step, attempt, started, out);
        } finally {
          s.close();
        }
        if (!decided.compareAndSet(false, true)) {
          tx.rollback();
          return;
        }
        try {
          tx.commit();
        } catch (SQLException commitFailed) {
          if (!isConnectionLoss(commitFailed) || !committedAfterAll(idx, attempt, commitFailed)) {
            throw commitFailed;
          }
        }
        result.complete(value);
      } else if (decided.compareAndSet(false, true)) {
        result.complete(value);
      }
    } catch (Throwable e) {
      if (tx != null) {
        try {
          tx.rollback();
        } catch (SQLException ignored) {
          // closing below discards the transaction
        }
      }
      if (decided.compareAndSet(false, true)) {
        result.completeExceptionally(e);
      }
    } finally {
      sc.connection = null;
      if (tx != null) {
        try {
          tx.setAutoCommit(true);
          tx.close();
        } catch (SQLException ignored) {
          // the pool drops a broken connection
        }
      }
      if (locked) {
        ex.engine.store.unlockWrites();
      }
    }
  }

  /**
   * PostgreSQL: the fenced touch of the run, the step row and its timeline entry in one statement
   * (one round trip per checkpoint). Used when the step changed the run's state: the run row is
   * rewritten with it.
   */
  private static final String PG_CHECKPOINT_STATE =
      "WITH f AS (UPDATE saga_runs SET updated_at = ?, state_json = COALESCE(?, state_json) WHERE"
          + " run_id = ? AND fence = ? RETURNING run_id), "
          + PgCheckpointTail.SQL;

  /**
   * PostgreSQL, a step that left the run's state alone: the run row is only locked (FOR SHARE), not
   * rewritten. The lock is the fence: it holds off an adopter's fence bump (and a lease renewal)
   * until this transaction ends, exactly as the update's row lock did, and a fence bumped before it
   * matches no row (nothing written). No new row version, no index entries, a fraction of the WAL;
   * the run's updated_at then moves at its state changes, start and end, not per step.
   */
  private static final String PG_CHECKPOINT =
      "WITH f AS (SELECT run_id FROM saga_runs WHERE run_id = ? AND fence = ? FOR SHARE), "
          + PgCheckpointTail.SQL;

  /** The timeline entry and the step row, after the fenced CTE {@code f}. */
  private static final class PgCheckpointTail {
    static final String SQL =
        "e AS (INSERT INTO saga_events (run_id, at, kind, detail) SELECT run_id, ?,"
            + " 'step-completed', ? FROM f) "
            + STEP_ROW_HEAD
            + "f"
            + STEP_ROW_TAIL;

    private PgCheckpointTail() {}
  }

  /**
   * Checkpoints a completed plain step. On the run's own thread (a sequential step) the checkpoint
   * is deferred: it commits with the run's next write, at the latest before the code's next step,
   * sleep, signal wait or child starts ({@link Execution#allocate}), so a run's last step commits
   * with its completion in one transaction. A crash before that commit loses only the step's
   * result, and an at-least-once step then runs again, as after a crash during its action.
   */
  private void checkpointCompleted(
      int idx, int group, Step<?> step, int attempt, long started, @Nullable String out) {
    String stateJson = ex.state.takeDirty();
    long now = ex.engine.clock.wallMillis();
    Writer.Job job;
    if (ex.engine.dialect != JdbcSagaStore.Dialect.POSTGRES) {
      job =
          s -> {
            if (!ex.touch(s, now, stateJson)) {
              return false;
            }
            writeCompleted(s, now, idx, group, step, attempt, started, out);
            return true;
          };
    } else {
      // one statement: the fence, the timeline entry and the step row
      job =
          new PgCheckpoint(
              ex.runId,
              ex.fence,
              now,
              stateJson,
              idx,
              step.name(),
              group,
              out,
              attempt,
              started,
              step.compensation() != null);
    }
    if (ex.onRunThread()) {
      ex.defer(job);
    } else {
      ex.writeRaw(job);
    }
  }

  /**
   * A completed plain step's checkpoint on PostgreSQL, as one statement ({@link #PG_CHECKPOINT} or
   * {@link #PG_CHECKPOINT_STATE}). A record, not a lambda, so that the run's completion can fold a
   * deferred one into its own statement ({@link Execution}'s {@code complete}).
   */
  record PgCheckpoint(
      String runId,
      long fence,
      long now,
      @Nullable String stateJson,
      int idx,
      String name,
      int group,
      @Nullable String out,
      int attempt,
      long started,
      boolean hasCompensation)
      implements Writer.OneStatement {

    String detail() {
      return name + " (attempt " + attempt + ")";
    }

    @Override
    public boolean apply(Writer.Statements s) throws SQLException {
      PreparedStatement ps;
      int i;
      if (stateJson != null) {
        ps = s.prepare(PG_CHECKPOINT_STATE);
        ps.setLong(1, now);
        ps.setString(2, stateJson);
        i = 3;
      } else {
        ps = s.prepare(PG_CHECKPOINT);
        i = 1;
      }
      ps.setString(i, runId);
      ps.setLong(i + 1, fence);
      ps.setLong(i + 2, now);
      ps.setString(i + 3, detail());
      bindStepRow(ps, i + 4);
      return ps.executeUpdate() == 1;
    }

    /** Binds idx, name, grp, output, attempts, started, ended and has_comp from {@code i} on. */
    int bindStepRow(PreparedStatement ps, int i) throws SQLException {
      ps.setInt(i, idx);
      ps.setString(i + 1, name);
      ps.setInt(i + 2, group);
      Rows.setNullableString(ps, i + 3, out);
      ps.setInt(i + 4, attempt);
      ps.setLong(i + 5, started);
      ps.setLong(i + 6, now);
      ps.setInt(i + 7, hasCompensation ? 1 : 0);
      return i + 8;
    }
  }

  /**
   * PostgreSQL: the completed step row's upsert, {@code STEP_ROW_HEAD + cte + STEP_ROW_TAIL},
   * selecting the run id from the fenced CTE {@code cte}; its 8 parameters are bound by {@link
   * PgCheckpoint#bindStepRow}. Constant expressions: the statements built from them in other
   * classes ({@link Execution}) are compile-time constants, so loading those classes does not
   * initialise this one (and its outbox table with its JSON mapper) as a side effect.
   */
  static final String STEP_ROW_HEAD =
      "INSERT INTO saga_steps (run_id, idx, name, kind, grp, status, output_json, error,"
          + " attempts, comp_attempts, next_attempt_at, started_at, ended_at, has_comp) SELECT"
          + " run_id, ?, ?, 'STEP', ?, 'COMPLETED', ?, NULL, ?, 0, NULL, ?, ?, ? FROM ";

  /** What follows the CTE's name in {@link #STEP_ROW_HEAD}. */
  static final String STEP_ROW_TAIL =
      " ON CONFLICT (run_id, idx) DO UPDATE SET status = excluded.status, output_json ="
          + " excluded.output_json, error = NULL, attempts = excluded.attempts, next_attempt_at ="
          + " NULL, ended_at = excluded.ended_at";

  private void writeCompleted(
      Writer.Statements s,
      long now,
      int idx,
      int group,
      Step<?> step,
      int attempt,
      long started,
      @Nullable String out)
      throws SQLException {
    Rows.StepRow row =
        new Rows.StepRow(
            idx,
            step.name(),
            "STEP",
            group,
            "COMPLETED",
            out,
            null,
            attempt,
            0,
            0,
            started,
            now,
            step.compensation() != null);
    PreparedStatement ps = s.prepare(Rows.UPSERT_STEP);
    Rows.bindStep(ps, ex.runId, row);
    ps.executeUpdate();
    SagaEngineImpl.event(
        s, ex.runId, now, "step-completed", step.name() + " (attempt " + attempt + ")");
  }

  private <T> T failed(int idx, int group, Step<T> step, int attempt, long started, Throwable e) {
    if (e instanceof Release r) {
      throw r;
    }
    RetryConfig retry = step.retry() != null ? step.retry() : ex.engine.settings.defaultRetry();
    boolean retriable =
        !(e instanceof PayloadTooLargeException)
            && (e instanceof StepTimeout
                || (step.transactional()
                    && !(e instanceof CommitUnknown)
                    && (isTransactionConflict(e) || isConnectionLoss(e)))
                || (retry.retryOn().test(e) && !retry.ignorePredicate().test(e)));
    String error = describe(e);
    if (retriable && attempt < retry.maxAttempts()) {
      long delay = backoffMillis(retry, attempt);
      long next = ex.engine.clock.wallMillis() + delay;
      writeStep(idx, group, step, "RETRYING", error, attempt, next, started, "retry");
      ex.engine
          .settings
          .telemetry()
          .decisions()
          .record(
              "saga",
              "retry",
              "run "
                  + ex.runId
                  + " step "
                  + step.name()
                  + " attempt "
                  + attempt
                  + " failed ("
                  + error
                  + "); next attempt in "
                  + delay
                  + " ms");
      throw new Suspend(next);
    }
    writeStep(idx, group, step, "FAILED", error, attempt, 0, started, "step-failed");
    throw new StepFailedException(
        ex.runId, step.name(), attempt, failedMessage(step.name(), attempt, error), e);
  }

  private void writeStep(
      int idx,
      int group,
      Step<?> step,
      String status,
      String error,
      int attempt,
      long next,
      long started,
      String eventKind) {
    ex.write(
        (s, now) -> {
          Rows.StepRow row =
              new Rows.StepRow(
                  idx,
                  step.name(),
                  "STEP",
                  group,
                  status,
                  null,
                  error,
                  attempt,
                  0,
                  next,
                  started,
                  status.equals("FAILED") ? now : 0,
                  step.compensation() != null);
          PreparedStatement ps = s.prepare(Rows.UPSERT_STEP);
          Rows.bindStep(ps, ex.runId, row);
          ps.executeUpdate();
          SagaEngineImpl.event(
              s, ex.runId, now, eventKind, step.name() + " attempt " + attempt + ": " + error);
        });
  }

  /**
   * A deadlock or serialization failure (SQLState class 40): the transaction was rolled back as a
   * whole, so a transactional step can simply be tried again.
   */
  static boolean isTransactionConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("40")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The connection to the store was lost (SQLState class 08, or PostgreSQL's 57P01-57P03: the
   * server ended the session). Before the commit was sent, the transaction is rolled back as a
   * whole, so a transactional step can be tried again.
   */
  static boolean isConnectionLoss(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P0")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A commit whose outcome is unknown (the connection broke during it and the store could not
   * tell).
   */
  static final class CommitUnknown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommitUnknown(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The connection broke during the commit of a transactional step: the commit may or may not have
   * been applied. The stored step row tells (it is written in the same transaction): true when it
   * was, false when it was not (the attempt can be retried); CommitUnknown when the store cannot be
   * asked (the step then fails rather than risk applying it twice).
   */
  private boolean committedAfterAll(int idx, int attempt, SQLException cause) {
    SQLException last = cause;
    long backoff = 100;
    for (int i = 0; i < 12; i++) {
      try (Connection c = ex.engine.store.dataSource().getConnection();
          java.sql.PreparedStatement ps =
              c.prepareStatement(
                  "SELECT status, attempts FROM saga_steps WHERE run_id = ? AND idx = ?")) {
        ps.setString(1, ex.runId);
        ps.setInt(2, idx);
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          return rs.next() && "COMPLETED".equals(rs.getString(1)) && rs.getInt(2) == attempt;
        }
      } catch (SQLException e) {
        last = e;
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        break;
      }
      backoff = Math.min(2_000, backoff * 2);
    }
    throw new CommitUnknown(
        "run "
            + ex.runId
            + ": the store's connection broke while committing step "
            + idx
            + " attempt "
            + attempt
            + " and the store could not be asked whether it was applied",
        last);
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    String d = m == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + m;
    return d.length() > 2000 ? d.substring(0, 2000) : d;
  }

  /** The backoff before retry number {@code attempt} (1 = before the second attempt). */
  static long backoffMillis(RetryConfig r, int attempt) {
    double initial = r.initialDelay().toMillis();
    double cap = r.maxDelay().toMillis();
    double base = Math.min(cap, initial * Math.pow(r.multiplier(), attempt - 1));
    double rnd = ThreadLocalRandom.current().nextDouble();
    double d =
        switch (r.jitter()) {
          case NONE -> base;
          case FULL -> rnd * base;
          case DECORRELATED -> Math.min(cap, initial + rnd * Math.max(0, 3 * base - initial));
        };
    return Math.max(0, (long) d);
  }

  /** Runs a parallel group: every member on its own thread; results in list order. */
  <T> List<T> parallel(int[] idx, List<Step<T>> group) throws Exception {
    int n = group.size();
    Object[] values = new Object[n];
    Throwable[] errors = new Throwable[n];
    if (ex.replay) {
      boolean stop = false;
      for (int i = 0; i < n; i++) {
        try {
          values[i] = run(idx[i], idx[0], group.get(i));
        } catch (StopReplay s) {
          stop = true;
        }
      }
      if (stop) {
        throw new StopReplay();
      }
    } else {
      Context outer = Context.current();
      List<Thread> threads = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int k = i;
        threads.add(
            Thread.ofVirtual()
                .name("saga-par-" + ex.runId + "-" + idx[i])
                .start(
                    () ->
                        outer.run(
                            () -> {
                              try {
                                values[k] = run(idx[k], idx[0], group.get(k));
                              } catch (Throwable t) {
                                errors[k] = t;
                              }
                            })));
      }
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          threads.forEach(Thread::interrupt);
          throw new Release();
        }
      }
    }
    rethrow(errors);
    List<T> out = new ArrayList<>(n);
    for (Object v : values) {
      @SuppressWarnings("unchecked")
      T t = (T) v;
      out.add(t);
    }
    return out;
  }

  private static void rethrow(Throwable[] errors) throws Exception {
    long wake = Long.MAX_VALUE;
    boolean suspended = false;
    for (Throwable t : errors) {
      if (t instanceof Fenced || t instanceof Release || t instanceof Park) {
        throw (Error) t;
      }
    }
    for (Throwable t : errors) {
      if (t == null) {
        continue;
      }
      if (t instanceof Suspend s) {
        suspended = true;
        wake = Math.min(wake, s.wakeAt);
      } else if (t instanceof Exception e) {
        throw e;
      } else if (t instanceof Error e) {
        throw e;
      }
    }
    if (suspended) {
      throw new Suspend(wake);
    }
  }

  /** What a step's action sees. */
  static final class StepCtx implements io.bulwark.saga.StepContext {
    private final String runId;
    private final String name;
    private final int index;
    private final int attempt;
    private final Context context;
    private final boolean transactional;
    volatile @Nullable Connection connection;
    volatile @Nullable String outputJson;
    volatile @Nullable FaultTag fault;

    StepCtx(
        String runId, String name, int index, int attempt, Context context, boolean transactional) {
      this.runId = runId;
      this.name = name;
      this.index = index;
      this.attempt = attempt;
      this.context = context;
      this.transactional = transactional;
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public String stepName() {
      return name;
    }

    @Override
    public int stepIndex() {
      return index;
    }

    @Override
    public int attempt() {
      return attempt;
    }

    @Override
    public String idempotencyKey() {
      return runId + ":" + index + ":" + name;
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public boolean transactional() {
      return transactional;
    }

    @Override
    public Connection connection() {
      Connection c = connection;
      if (!transactional || c == null) {
        throw new IllegalStateException(
            "run "
                + runId
                + ": step "
                + name
                + " is not transactional; build it with Step.named(...).transactional() to get a"
                + " connection");
      }
      return c;
    }

    @Override
    public void outbox(io.bulwark.events.OutgoingRecord record) {
      try {
        OUTBOX_TABLE.add(connection(), record);
      } catch (SQLException e) {
        throw new io.bulwark.saga.SagaStoreException(
            "run " + runId + ": step " + name + ": outbox insert failed: " + e.getMessage(), e);
      }
    }
  }

  static long millis(Duration d) {
    return TimeUnit.NANOSECONDS.toMillis(d.toNanos());
  }

  static <T> List<T> list(T[] a) {
    return Arrays.asList(a);
  }
}
