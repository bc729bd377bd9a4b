package io.bulwark.saga.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.saga.PayloadTooLargeException;
import io.bulwark.saga.RunState;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.Step;
import io.bulwark.saga.StepAction;
import io.bulwark.saga.StepFailedException;
import io.bulwark.saga.WorkflowContext;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.WorkflowDefinitionException;
import io.bulwark.saga.internal.Control.Fenced;
import io.bulwark.saga.internal.Control.Park;
import io.bulwark.saga.internal.Control.Release;
import io.bulwark.saga.internal.Control.StopReplay;
import io.bulwark.saga.internal.Control.Suspend;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a run on this executor, from its claim until it completes, waits, parks, is
 * compensated or loses its fence. The workflow's code runs from the top; every step call finds its
 * stored row by index (completed steps return their stored result) or runs the step and checkpoints
 * it ({@link StepRunner}) before the code goes on. A wait (sleep, signal, retry backoff, child)
 * unwinds the code with {@link Suspend} and gives the run's row up with its wake-up time; the next
 * execution replays the code to the same point from the stored results.
 */
final class Execution implements WorkflowContext {
  private static final System.Logger LOG = System.getLogger("io.bulwark.saga");

  final SagaEngineImpl engine;
  final String runId;
  final long fence;
  private volatile @Nullable String cancelCause;
  private volatile boolean release;
  private volatile @Nullable Thread thread;

  Rows.@Nullable Run run;
  java.util.NavigableMap<Integer, Rows.StepRow> stored = new TreeMap<>();
  @Nullable WorkflowDefinition<?, ?> definition;
  Context context = Context.root();
  State state = new State(this, Map.of());
  boolean replay;
  private int nextIndex;
  private final Map<String, Integer> names = new HashMap<>();
  final Map<Integer, Step<?>> compensable = new ConcurrentHashMap<>();
  final StepRunner steps = new StepRunner(this);

  private final Rows.@Nullable Run fresh;

  /** {@code fresh}: the row of a run claimed from its queue (no steps stored yet), or null. */
  Execution(SagaEngineImpl engine, String runId, long fence, Rows.@Nullable Run fresh) {
    this.fresh = fresh;
    this.engine = engine;
    this.runId = runId;
    this.fence = fence;
  }

  private final java.util.concurrent.CountDownLatch end =
      new java.util.concurrent.CountDownLatch(1);

  void ended() {
    end.countDown();
  }

  void awaitEnd() throws InterruptedException {
    end.await();
  }

  void requestCancel(String cause) {
    if (cancelCause == null) {
      cancelCause = cause;
    }
  }

  void requestRelease() {
    release = true;
  }

  void interrupt() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  Rows.Run row() {
    return Objects.requireNonNull(run, "run");
  }

  WorkflowDefinition<?, ?> def() {
    return Objects.requireNonNull(definition, "definition");
  }

  void run() {
    thread = Thread.currentThread();
    Rows.Run r = fresh != null ? fresh : engine.readRun(runId);
    if (r == null || r.fence() != fence) {
      return;
    }
    run = r;
    if (fresh == null) {
      stored = engine.read(c -> Rows.readSteps(c, runId));
    }
    definition = engine.settings.definitions().get(r.key());
    if (definition == null) {
      return;
    }
    context = engine.json.context(r.contextJson());
    state = new State(this, Rows.stateMap(r.stateJson(), engine.json));
    if (r.cancelRequested() && r.cause() != null) {
      cancelCause = r.cause();
    }
    TelemetrySpan span =
        engine
            .settings
            .telemetry()
            .tracing()
            .startSpan("saga.run " + r.workflow(), SpanKind.INTERNAL, context);
    span.attribute("saga.run_id", runId);
    span.attribute("saga.executor", engine.executorId);
    SagaCohort.tag(span, context, null);
    context = span.context();
    try {
      if (r.phase().equals("COMP")) {
        compensate(true);
      } else {
        runBody();
      }
    } catch (Fenced f) {
      LOG.log(
          System.Logger.Level.INFO,
          "saga executor " + engine.executorId + " lost run " + runId + " (fence " + fence + ")");
      span.event("fenced");
      engine.runChanged(runId);
    } catch (Release rel) {
      releaseRun();
    } finally {
      span.end();
    }
  }

  private void runBody() {
    try {
      Object input = engine.json.decode(row().inputJson(), def().inputType());
      // cancel, release and the run timeout are checked at each step, after the code has
      // replayed the completed steps (so their compensations are known)
      Object out = context.call(() -> invoke(def(), input));
      Map.Entry<Integer, Rows.StepRow> extra = stored.ceilingEntry(nextIndex);
      if (extra != null) {
        throw new Park(
            "run "
                + runId
                + ": the code of "
                + def().key()
                + " no longer calls step '"
                + extra.getValue().name()
                + "' (index "
                + extra.getKey()
                + "), which is stored: the code changed under an in-flight run");
      }
      complete(out);
    } catch (Suspend s) {
      suspend(s.wakeAt, "WAITING");
    } catch (Park p) {
      park(p.cause, "RUN");
    } catch (Fenced | Release c) {
      throw c;
    } catch (StopReplay c) {
      throw new IllegalStateException("replay outside compensation", c);
    } catch (Exception | Error e) {
      if (e instanceof InterruptedException) {
        throw new Release();
      }
      fail(e);
    }
  }

  @SuppressWarnings({"unchecked", "NullAway"}) // the input may be JSON null
  private <I, O> O invoke(WorkflowDefinition<I, O> d, @Nullable Object input) throws Exception {
    return d.body().run(this, (I) input);
  }

  // ---- outcomes ----------------------------------------------------------------------------

  private static final String COMPLETE =
      "UPDATE saga_runs SET status = 'COMPLETED', output_json = ?, owner = NULL, lease_until ="
          + " NULL, wake_at = NULL, updated_at = ?, state_json = COALESCE(?, state_json) WHERE"
          + " run_id = ? AND fence = ?";

  /** PostgreSQL: {@link #COMPLETE} and the "completed" timeline entry in one statement. */
  private static final String PG_COMPLETE =
      "WITH u AS ("
          + COMPLETE
          + " RETURNING run_id) INSERT INTO saga_events (run_id, at, kind, detail) SELECT run_id,"
          + " ?, 'completed', ? FROM u";

  /**
   * PostgreSQL, a run whose last step's checkpoint is still deferred: that checkpoint, the
   * completion and both timeline entries (in this order: {@code ORDER BY}) in one statement, so a
   * run's end is one round trip in auto-commit instead of two statements and a commit. The fence is
   * the completion's update: a fenced-off executor writes none of it.
   */
  private static final String PG_COMPLETE_WITH_STEP =
      "WITH u AS ("
          + COMPLETE
          + " RETURNING run_id), s AS ("
          + StepRunner.STEP_ROW_HEAD
          + "u"
          + StepRunner.STEP_ROW_TAIL
          + ") INSERT INTO saga_events (run_id, at, kind, detail) SELECT u.run_id, v.at, v.kind,"
          + " v.detail FROM u CROSS JOIN (VALUES (1, CAST(? AS BIGINT), 'step-completed', CAST(?"
          + " AS TEXT)), (2, CAST(? AS BIGINT), 'completed', CAST(? AS TEXT))) AS v(o, at, kind,"
          + " detail) ORDER BY v.o";

  /** The one statement of {@link #PG_COMPLETE_WITH_STEP} for {@code step} and this completion. */
  private Writer.OneStatement completeWithStep(
      StepRunner.PgCheckpoint step,
      String outJson,
      @Nullable String stateJson,
      long now,
      String detail) {
    return s -> {
      PreparedStatement ps = s.prepare(PG_COMPLETE_WITH_STEP);
      ps.setString(1, outJson);
      ps.setLong(2, now);
      Rows.setNullableString(ps, 3, stateJson != null ? stateJson : step.stateJson());
      ps.setString(4, runId);
      ps.setLong(5, fence);
      int i = step.bindStepRow(ps, 6);
      ps.setLong(i, step.now());
      ps.setString(i + 1, step.detail());
      ps.setLong(i + 2, now);
      ps.setString(i + 3, detail);
      return ps.executeUpdate() > 0;
    };
  }

  private void complete(@Nullable Object out) {
    String outJson;
    try {
      outJson = engine.json.encode(runId, "output", out);
    } catch (PayloadTooLargeException | IllegalArgumentException e) {
      fail(e);
      return;
    }
    String parent = row().parentRunId();
    String stateJson = state.takeDirty();
    long now = engine.clock.wallMillis();
    Writer.Job last = deferred.get();
    if (engine.dialect == JdbcSagaStore.Dialect.POSTGRES
        && parent == null
        && last instanceof StepRunner.PgCheckpoint step
        && deferred.compareAndSet(last, null)) {
      writeRaw(
          completeWithStep(step, outJson, stateJson, now, "output " + outJson.length() + " chars"));
      completed(parent, outJson, now);
      return;
    }
    writeRaw(
        s -> {
          boolean pg = engine.dialect == JdbcSagaStore.Dialect.POSTGRES;
          PreparedStatement ps = s.prepare(pg ? PG_COMPLETE : COMPLETE);
          ps.setString(1, outJson);
          ps.setLong(2, now);
          Rows.setNullableString(ps, 3, stateJson);
          ps.setString(4, runId);
          ps.setLong(5, fence);
          String detail = "output " + outJson.length() + " chars";
          if (pg) {
            // the completion and its timeline entry in one round trip
            ps.setLong(6, now);
            ps.setString(7, detail);
          }
          if (ps.executeUpdate() == 0) {
            return false;
          }
          if (!pg) {
            SagaEngineImpl.event(s, runId, now, "completed", detail);
          }
          notifyParent(s, parent, now);
          return true;
        });
    completed(parent, outJson, now);
  }

  /** After the completion committed. */
  private void completed(@Nullable String parent, String outJson, long now) {
    recordRed(Outcome.SUCCESS);
    // the waiters on this executor get the committed outcome without reading it back
    engine.runChanged(runId, row().completed(outJson, now));
    if (parent != null) {
      engine.wake();
    }
  }

  private void recordRed(Outcome outcome) {
    long nanos = Math.max(0, engine.clock.wallMillis() - row().createdAt()) * 1_000_000L;
    SagaCohort.record(
        engine.settings.telemetry().endpoint("saga." + row().workflow()),
        outcome,
        nanos,
        context,
        null);
  }

  private static void notifyParent(Writer.Statements s, @Nullable String parent, long now)
      throws SQLException {
    if (parent == null) {
      return;
    }
    PreparedStatement ps =
        s.prepare(
            "UPDATE saga_runs SET signal_seq = signal_seq + 1, wake_at = CASE WHEN status ="
                + " 'WAITING' THEN ? ELSE wake_at END WHERE run_id = ?");
    ps.setLong(1, now);
    ps.setString(2, parent);
    ps.executeUpdate();
  }

  /** The run failed for good: record the cause and compensate. */
  private void fail(Throwable e) {
    String cause = causeOf(e);
    write(
        (s, now) -> {
          PreparedStatement ps =
              s.prepare(
                  "UPDATE saga_runs SET status = 'COMPENSATING', phase = 'COMP', cause = ? WHERE"
                      + " run_id = ?");
          ps.setString(1, cause);
          ps.setString(2, runId);
          ps.executeUpdate();
          SagaEngineImpl.event(s, runId, now, "compensate", cause);
        });
    engine.settings.telemetry().decisions().record("saga", "compensate", cause);
    compensate(false);
  }

  private String causeOf(Throwable e) {
    if (e instanceof StepFailedException || e instanceof WorkflowDefinitionException) {
      return String.valueOf(e.getMessage());
    }
    if (e instanceof Control.Cancelled c) {
      return c.getMessage();
    }
    if (e instanceof Control.RunTimedOut t) {
      return t.getMessage();
    }
    return "run " + runId + ": workflow code of " + def().key() + " threw " + e;
  }

  void suspend(long wakeAt, String status) {
    long seen = row().signalSeq();
    long deadline = row().deadlineAt();
    long wake = status.equals("WAITING") && deadline != 0 ? Math.min(wakeAt, deadline) : wakeAt;
    write(
        (s, now) -> {
          PreparedStatement ps =
              s.prepare(
                  "UPDATE saga_runs SET status = ?, owner = NULL, lease_until = NULL, wake_at ="
                      + " CASE WHEN signal_seq <> ? OR cancel_requested = 1 THEN ? ELSE ? END"
                      + " WHERE run_id = ?");
          ps.setString(1, status);
          ps.setLong(2, seen);
          ps.setLong(3, now);
          if (wake == Long.MAX_VALUE) {
            ps.setNull(4, Types.BIGINT);
          } else {
            ps.setLong(4, wake);
          }
          ps.setString(5, runId);
          ps.executeUpdate();
        });
    engine.runChanged(runId);
    // a wake-up that is already due (or a signal seen by the CASE) needs the pump at once
    engine.armTimer(wake == Long.MAX_VALUE ? engine.clock.wallMillis() + 1 : wake);
    engine.wake();
  }

  void park(String cause, String phase) {
    write(
        (s, now) -> {
          PreparedStatement ps =
              s.prepare(
                  "UPDATE saga_runs SET status = 'PARKED', phase = ?, cause = ?, owner = NULL,"
                      + " lease_until = NULL, wake_at = NULL WHERE run_id = ?");
          ps.setString(1, phase);
          ps.setString(2, cause);
          ps.setString(3, runId);
          ps.executeUpdate();
          SagaEngineImpl.event(s, runId, now, "parked", cause);
        });
    engine.settings.telemetry().decisions().record("saga", "park", cause);
    recordRed(Outcome.ERROR);
    engine.runChanged(runId);
  }

  /** After an unexpected error: give the run up (due again in a second) so it is not stranded. */
  void releaseAfterError() {
    try {
      writeRaw(
          s -> {
            PreparedStatement ps =
                s.prepare(
                    "UPDATE saga_runs SET owner = NULL, lease_until = NULL, wake_at = ? WHERE"
                        + " run_id = ? AND fence = ?");
            ps.setLong(1, engine.clock.wallMillis() + 1_000);
            ps.setString(2, runId);
            ps.setLong(3, fence);
            ps.executeUpdate();
            return true;
          });
      engine.armTimer(engine.clock.wallMillis() + 1_000);
      engine.runChanged(runId);
    } catch (RuntimeException | Error e) {
      // the store is away: the lease lapses and another executor (or a restart) takes the run
    }
  }

  private void releaseRun() {
    try {
      write(
          (s, now) -> {
            PreparedStatement ps =
                s.prepare(
                    "UPDATE saga_runs SET owner = NULL, lease_until = NULL, wake_at = ? WHERE"
                        + " run_id = ?");
            ps.setLong(1, now);
            ps.setString(2, runId);
            ps.executeUpdate();
          });
    } catch (Fenced | io.bulwark.saga.SagaStoreException e) {
      // the lease lapses instead
    }
  }

  // ---- compensation --------------------------------------------------------------------------

  private void compensate(boolean needReplay) {
    if (needReplay) {
      replayForCompensations();
    }
    new Compensator(this).run();
  }

  /** Runs the code again in replay mode so every completed step's compensation is known. */
  private void replayForCompensations() {
    replay = true;
    nextIndex = 0;
    names.clear();
    try {
      Object input = engine.json.decode(row().inputJson(), def().inputType());
      context.call(() -> invoke(def(), input));
    } catch (Fenced | Release c) {
      throw c;
    } catch (Exception | Error e) {
      // replay stops at the first step that has not completed (or anywhere the code throws)
    } finally {
      replay = false;
    }
  }

  // ---- fenced writes -----------------------------------------------------------------------

  interface Body {
    void apply(Writer.Statements s, long now) throws SQLException;
  }

  /**
   * Writes {@code body} in the group commit after the fenced touch of the run's row (with the
   * state, when it changed); throws {@link Fenced} when this executor no longer holds the run.
   */
  void write(Body body) {
    String stateJson = state.takeDirty();
    long now = engine.clock.wallMillis();
    boolean ok;
    try {
      ok =
          engine
              .writer(runId)
              .write(
                  withDeferred(
                      s -> {
                        if (!touch(s, now, stateJson)) {
                          return false;
                        }
                        body.apply(s, now);
                        return true;
                      }));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Release();
    }
    if (!ok) {
      throw new Fenced();
    }
  }

  /** Runs {@code job} (which makes its own fenced check) in the group commit; Fenced on false. */
  void writeRaw(Writer.Job job) {
    boolean ok;
    try {
      ok = engine.writer(runId).write(withDeferred(job));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Release();
    }
    if (!ok) {
      throw new Fenced();
    }
  }

  /**
   * A checkpoint not yet written: it goes first into the run's next write ({@link #withDeferred}),
   * and is written on its own before the code calls its next step ({@link #allocate}).
   */
  private final java.util.concurrent.atomic.AtomicReference<Writer.@Nullable Job> deferred =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** True on the thread running the workflow's code (not a parallel group's member). */
  boolean onRunThread() {
    return Thread.currentThread() == thread;
  }

  /** Defers {@code job} (a fenced checkpoint) to the run's next write. */
  void defer(Writer.Job job) {
    Writer.Job before = deferred.getAndSet(job);
    if (before != null) {
      deferred.set(withDeferred(before, job));
    }
  }

  /**
   * Writes the deferred checkpoint, if any, as the job it is (one checkpoint alone is one
   * statement, see {@link Writer.OneStatement}); Fenced when this executor lost the run.
   */
  void flushDeferred() {
    Writer.Job d = deferred.getAndSet(null);
    if (d != null) {
      writeRaw(d);
    }
  }

  private Writer.Job withDeferred(Writer.Job job) {
    Writer.Job d = deferred.getAndSet(null);
    return d == null ? job : withDeferred(d, job);
  }

  private static Writer.Job withDeferred(Writer.Job first, Writer.Job then) {
    return s -> first.apply(s) && then.apply(s);
  }

  boolean touch(Writer.Statements s, long now, @Nullable String stateJson) throws SQLException {
    PreparedStatement f =
        s.prepare(
            "UPDATE saga_runs SET updated_at = ?, state_json = COALESCE(?, state_json) WHERE"
                + " run_id = ? AND fence = ?");
    f.setLong(1, now);
    Rows.setNullableString(f, 2, stateJson);
    f.setString(3, runId);
    f.setLong(4, fence);
    return f.executeUpdate() == 1;
  }

  // ---- WorkflowContext ---------------------------------------------------------------------

  void checkInterrupts() {
    if (release || engine.closed()) {
      throw new Release();
    }
    String c = cancelCause;
    if (c != null) {
      throw new Control.Cancelled("run " + runId + " " + c);
    }
    long deadline = row().deadlineAt();
    if (deadline != 0 && engine.clock.wallMillis() >= deadline) {
      throw new Control.RunTimedOut(
          "run "
              + runId
              + " timed out: "
              + def().key()
              + " runTimeout "
              + def().runTimeout()
              + " passed");
    }
  }

  /**
   * The index of the next step named {@code name}; a name used twice is refused. The previous
   * step's deferred checkpoint commits first: a step's result is stored before the next starts.
   */
  int allocate(String name) {
    flushDeferred();
    int idx = nextIndex++;
    Integer prev = names.putIfAbsent(name, idx);
    if (prev != null) {
      throw new WorkflowDefinitionException(
          "run "
              + runId
              + ": workflow "
              + def().key()
              + " uses step name '"
              + name
              + "' twice (step "
              + prev
              + " and step "
              + idx
              + ")");
    }
    return idx;
  }

  /** The stored row at {@code idx}, checked against {@code name}; parks on a mismatch. */
  Rows.@Nullable StepRow storedAt(int idx, String name, String kind) {
    Rows.StepRow row = stored.get(idx);
    if (row != null && (!row.name().equals(name) || !row.kind().equals(kind))) {
      Park p =
          new Park(
              "run "
                  + runId
                  + ": step at index "
                  + idx
                  + " is '"
                  + name
                  + "' ("
                  + kind
                  + ") in the code of "
                  + def().key()
                  + " but '"
                  + row.name()
                  + "' ("
                  + row.kind()
                  + ") in the store: the code changed under an in-flight run");
      if (replay) {
        throw new StopReplay();
      }
      throw p;
    }
    return row;
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public String workflow() {
    return row().workflow();
  }

  @Override
  public int version() {
    return row().version();
  }

  @Override
  public Context context() {
    return context;
  }

  @Override
  public <T> T step(String name, Class<T> type, StepAction<T> action) throws Exception {
    return step(Step.named(name, type).action(action));
  }

  @Override
  public <T> T step(
      String name, Class<T> type, StepAction<T> action, io.bulwark.saga.Compensation<T> comp)
      throws Exception {
    return step(Step.named(name, type).compensate(comp).action(action));
  }

  @Override
  public <T> T step(Step<T> step) throws Exception {
    Objects.requireNonNull(step, "step");
    int idx = allocate(step.name());
    return steps.run(idx, idx, step);
  }

  @Override
  public <T> List<T> parallel(List<Step<T>> group) throws Exception {
    Objects.requireNonNull(group, "steps");
    if (group.isEmpty()) {
      return List.of();
    }
    int[] idx = new int[group.size()];
    for (int i = 0; i < group.size(); i++) {
      idx[i] = allocate(Objects.requireNonNull(group.get(i), "step").name());
    }
    return steps.parallel(idx, group);
  }

  @Override
  public <C, R> R child(String name, WorkflowDefinition<C, R> d, C input) throws Exception {
    Objects.requireNonNull(d, "definition");
    return new Waits(this).child(allocate(name), name, d, input);
  }

  @Override
  public void sleep(String name, Duration duration) throws Exception {
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "run " + runId + ": sleep " + name + " duration must not be negative, got " + duration);
    }
    new Waits(this).sleep(allocate(name), name, duration);
  }

  @Override
  public <T> Optional<T> awaitSignal(String name, String signal, Class<T> type, Duration timeout)
      throws Exception {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(type, "type");
    SagaEngineImpl.checkName("run " + runId + ": awaitSignal " + name + " signal name", signal);
    if (timeout.isNegative()) {
      throw new IllegalArgumentException(
          "run " + runId + ": awaitSignal " + name + " timeout must not be negative: " + timeout);
    }
    return new Waits(this).awaitSignal(allocate(name), name, signal, type, timeout);
  }

  @Override
  public RunState state() {
    return state;
  }

  List<Rows.StepRow> reloadSteps() {
    return new ArrayList<>(engine.read(c -> Rows.readSteps(c, runId)).values());
  }

  RunStatus status() {
    return row().status();
  }
}
