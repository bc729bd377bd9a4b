package io.bulwark.saga.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.saga.EngineSettings;
import io.bulwark.saga.QueueConfig;
import io.bulwark.saga.RunFailedException;
import io.bulwark.saga.RunHandle;
import io.bulwark.saga.RunQuery;
import io.bulwark.saga.RunStatus;
import io.bulwark.saga.RunSummary;
import io.bulwark.saga.RunView;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.SagaStoreException;
import io.bulwark.saga.StartOptions;
import io.bulwark.saga.UnknownRunException;
import io.bulwark.saga.WorkflowDefinition;
import io.bulwark.saga.WorkflowDefinitionException;
import io.bulwark.saga.internal.JdbcSagaStore.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The saga engine: starts runs (idempotent insert), claims runnable runs (queued, due, orphaned) in
 * one pump, runs each claimed run on its own virtual thread ({@link Execution}), renews its leases
 * with a heartbeat, and answers the visibility API from the store.
 *
 * <p>Design notes. A run's row carries {@code owner}, {@code lease_until} and {@code fence}. Every
 * claim (start, wake-up, adoption) raises the fence; every write of the run's progress is
 * conditional on the fence it was claimed with, so an executor that lost the run (paused past its
 * lease, or the run was cancelled under it) writes nothing and drops the run. A run that waits
 * gives its row up ({@code owner} NULL, {@code wake_at} set); whoever's pump sees {@code wake_at}
 * pass claims it. Signals and child completions raise {@code signal_seq}, which a run about to wait
 * compares with the value it started from, so a signal racing a wait is never lost.
 */
public final class SagaEngineImpl implements SagaEngine {
  private static final System.Logger LOG = System.getLogger("io.bulwark.saga");
  static final String LIVE = "('RUNNING','WAITING','COMPENSATING')";

  final EngineSettings settings;
  final JdbcSagaStore store;
  final Dialect dialect;
  final Writer writer;
  private final Writer[] runWriters;
  final Clock clock;
  final Json json;
  final String executorId;
  private final String keysIn;

  /** The advisory lock keys of this executor's queues, ascending. */
  private final long[] queueLockKeys;

  /** The queues a start may claim in (no rate limit): counted in a claims batch's prologue. */
  private final List<String> countedAhead;

  private final Map<String, Execution> executing = new ConcurrentHashMap<>();
  private final List<String> missing = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final AtomicBoolean pumpRequested = new AtomicBoolean();
  private final AtomicBoolean heartbeatRunning = new AtomicBoolean();
  private final java.util.concurrent.Semaphore pumpSignal = new java.util.concurrent.Semaphore(0);
  private final Thread pump;
  private final List<ScheduledTask> periodic = new ArrayList<>();
  private final Map<String, Long> queueBlockedUntil = new ConcurrentHashMap<>();
  private int busy;
  private long timerAt = Long.MAX_VALUE;
  private @Nullable ScheduledTask timer;
  private volatile boolean closed;

  /** True when the last pump round left queued runs behind a concurrency or worker limit. */
  private volatile boolean heldBack;

  /** Set by claimQueue during a round: a limit held a queued run back. */
  private volatile boolean roundHeldBack;

  /** Counts ended executions, to see one ending while a round decided it was held back. */
  private final java.util.concurrent.atomic.AtomicLong ends =
      new java.util.concurrent.atomic.AtomicLong();

  private volatile boolean firstRound = true;

  /** Set once the first pump round (restart recovery) has run: starts may claim from then on. */
  private volatile boolean recovered;

  /** Worker slots taken: executions launched and not yet ended, and claims reserved for launch. */
  private final java.util.concurrent.atomic.AtomicInteger slots =
      new java.util.concurrent.atomic.AtomicInteger();

  private final long startedNanos = System.nanoTime();

  private SagaEngineImpl(EngineSettings settings) {
    this.settings = settings;
    if (!(settings.store() instanceof JdbcSagaStore jdbc)) {
      throw new IllegalArgumentException(
          "saga store " + settings.store().url() + " is not a store made by SagaStores");
    }
    this.store = jdbc;
    this.dialect = jdbc.sqlDialect();
    this.clock = settings.scheduler().clock();
    this.json = new Json(settings.mapper(), settings.maxPayloadBytes(), clock);
    this.executorId = settings.executorId();
    StringBuilder in = new StringBuilder("(");
    for (String key : settings.definitions().keySet()) {
      in.append(in.length() > 1 ? "," : "").append('\'').append(key).append('\'');
    }
    this.keysIn = in.length() == 1 ? "('')" : in.append(')').toString();
    this.countedAhead =
        settings.queues().values().stream()
            .filter(q -> q.startsPerSecond() <= 0 && !q.isUnlimited())
            .map(QueueConfig::name)
            .sorted()
            .toList();
    this.queueLockKeys =
        settings.queues().keySet().stream()
            .mapToLong(SagaEngineImpl::queueLockKey)
            .distinct()
            .sorted()
            .toArray();
    // SQLite has one writer at a time: one group-commit writer with one lane. PostgreSQL commits
    // concurrent transactions in parallel (and merges their WAL flushes): the claims (pump rounds,
    // starts that claim, heartbeats: under a queue's advisory lock) on a writer of their own, the
    // runs' progress on a writer of several lanes sharing one queue, so a write finds an idle
    // connection when few runs write and shares a commit when many do.
    Writer.WriteLock lock =
        new Writer.WriteLock() {
          @Override
          public void lock() throws InterruptedException {
            jdbc.lockWrites();
          }

          @Override
          public void unlock() {
            jdbc.unlockWrites();
          }
        };
    boolean sqlite = dialect == Dialect.SQLITE;
    // every claims transaction takes the queues' locks first, before any row lock: two of them (on
    // two executors) never hold a row the other waits for while waiting for a lock it holds
    Writer.Job locks =
        s -> {
          lockQueuesAndCount(s);
          return true;
        };
    this.writer =
        new Writer(
            jdbc.dataSource(),
            jdbc.url(),
            "saga-writer-" + executorId,
            1,
            sqlite,
            lock,
            sqlite ? null : locks);
    // a quarter of the pool (at least 2) stays free for reads and transactional steps
    int pool = jdbc.maxConnections();
    int lanes = Math.min(16, pool - 1 - Math.max(2, pool / 4));
    if (sqlite || lanes < 1) {
      this.runWriters = new Writer[] {writer};
    } else {
      this.runWriters =
          new Writer[] {
            writer,
            new Writer(
                jdbc.dataSource(),
                jdbc.url(),
                "saga-run-writer-" + executorId,
                lanes,
                false,
                lock,
                null)
          };
    }
    this.pump = Thread.ofVirtual().name("saga-pump-" + executorId).unstarted(this::pumpLoop);
  }

  /** Starts an engine: registers the executor, reports missing definitions, starts the pump. */
  static SagaEngineImpl start(EngineSettings settings) {
    SagaEngineImpl e = new SagaEngineImpl(settings);
    try {
      e.register();
      e.findMissing(true);
    } catch (RuntimeException | InterruptedException ex) {
      for (Writer w : e.runWriters) {
        w.close();
      }
      if (ex instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw ex instanceof SagaStoreException s
          ? s
          : new SagaStoreException(
              "saga store " + e.store.url() + " cannot be used: " + ex.getMessage(), ex);
    }
    e.pump.start();
    long poll = Math.max(1, settings.poll().toNanos());
    e.periodic.add(settings.scheduler().scheduleAtFixedRate(poll, poll, e::wake));
    long hb = Math.max(1, settings.heartbeat().toNanos());
    e.periodic.add(settings.scheduler().scheduleAtFixedRate(hb, hb, e::heartbeatTick));
    e.wake();
    return e;
  }

  // ---- public API ----------------------------------------------------------------------------

  @Override
  public String executorId() {
    return executorId;
  }

  @Override
  public <I, O> RunHandle<O> start(WorkflowDefinition<I, O> definition, String runId, I input) {
    return start(definition, runId, input, StartOptions.defaults());
  }

  @Override
  public <I, O> RunHandle<O> start(
      WorkflowDefinition<I, O> definition, String runId, I input, StartOptions options) {
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(options, "options");
    checkRunId(runId);
    WorkflowDefinition<?, ?> registered = settings.definitions().get(definition.key());
    if (registered == null) {
      throw new WorkflowDefinitionException(
          "workflow "
              + definition.key()
              + " is not registered with saga executor "
              + executorId
              + " (registered: "
              + settings.definitions().keySet()
              + ")");
    }
    String queue = options.queue() != null ? options.queue() : definition.queue();
    if (!settings.queues().containsKey(queue)) {
      throw new IllegalArgumentException(
          "run " + runId + ": queue '" + queue + "' is not configured on this engine");
    }
    String inputJson = json.encode(runId, "input", input);
    Context ctx = options.context() != null ? options.context() : Context.current();
    QueueConfig qc = Objects.requireNonNull(settings.queues().get(queue), queue);
    // claim at start: a run that finds room in its queue (and nobody waiting ahead of it) is
    // inserted already claimed by this executor and launched here, without a pump round
    boolean claim =
        recovered
            && !closed
            && qc.startsPerSecond() <= 0
            && (options.concurrencyKey() == null || qc.perKeyConcurrency() >= qc.concurrency())
            && reserveSlots(1) == 1;
    java.util.concurrent.CompletableFuture<Rows.@Nullable Run> first = null;
    if (claim) {
      // registered before the run exists: every change of it on this executor completes it
      var f = new java.util.concurrent.CompletableFuture<Rows.@Nullable Run>();
      first = watchers.putIfAbsent(runId, f) == null ? f : null;
    }
    Inserted ins;
    try {
      ins =
          insertRun(
              definition,
              runId,
              inputJson,
              queue,
              options.priority(),
              options.concurrencyKey(),
              ctx,
              null,
              claim ? qc : null);
    } catch (RuntimeException e) {
      if (claim) {
        releaseSlots(1);
      }
      throw e;
    }
    Rows.Run claimed = ins.claimed();
    if (claim && claimed == null) {
      releaseSlots(1);
    }
    if (!ins.created() && first != null) {
      watchers.remove(runId, first);
      first = null;
    }
    if (claimed != null) {
      launch(new Claim(runId, claimed.fence(), null, "PENDING", claimed));
    } else if (ins.created()) {
      wake();
    }
    return new Handle<>(this, runId, ins.created(), definition.outputType(), first);
  }

  /** What an insert did: created the run (or found it), and the row when it claimed it. */
  record Inserted(boolean created, Rows.@Nullable Run claimed) {}

  /** Inserts a child run if absent (through the writer); true if this call created it. */
  boolean insertRun(
      WorkflowDefinition<?, ?> d,
      String runId,
      String inputJson,
      String queue,
      int priority,
      @Nullable String ckey,
      Context ctx,
      @Nullable String parent) {
    return insertRun(d, runId, inputJson, queue, priority, ckey, ctx, parent, null).created();
  }

  /**
   * Inserts a run if absent. With {@code claimIn} (the run's queue), the run is inserted RUNNING,
   * owned by this executor under fence 1, when its queue has room and no run waits in it (checked
   * in the same transaction, under the queue's lock on PostgreSQL, as the pump's claims are; an
   * unlimited queue has nothing to check, so no lock and no count); otherwise PENDING for the pump.
   */
  private Inserted insertRun(
      WorkflowDefinition<?, ?> d,
      String runId,
      String inputJson,
      String queue,
      int priority,
      @Nullable String ckey,
      Context ctx,
      @Nullable String parent,
      @Nullable QueueConfig claimIn) {
    Context stored = ctx;
    if (ctx.trace() == null && settings.telemetry().tracing().mayRecord(ctx)) {
      // one trace per run: a root for runs started outside any trace
      try (TelemetrySpan root =
          settings
              .telemetry()
              .tracing()
              .startSpan("saga.start " + d.name(), SpanKind.INTERNAL, ctx)) {
        root.attribute("saga.run_id", runId);
        stored = root.context();
      }
    }
    String contextJson = json.contextJson(stored);
    long now = clock.wallMillis();
    Duration timeout = d.runTimeout();
    long deadlineAt = timeout == null ? 0 : now + timeout.toMillis();
    long leaseUntil = now + settings.lease().toMillis();
    Rows.@Nullable Run[] claimed = {null};
    // a claimed start on a limited queue goes through the claims' writer: its queue lock is then
    // taken once per batch; on an unlimited queue there is nothing to count, so no lock: its run's
    // own writer lane
    boolean counted = claimIn != null && !claimIn.isUnlimited();
    Writer w = counted ? writer : writer(runId);
    try {
      Writer.Job insert =
          s -> {
            claimed[0] = null;
            QueueConfig q = claimIn;
            boolean claim = q != null && (!counted || roomAtStart(s, q));
            boolean pg = dialect == Dialect.POSTGRES;
            PreparedStatement ps = s.prepare(pg ? PG_INSERT_RUN : INSERT_RUN);
            ps.setString(1, runId);
            ps.setString(2, d.name());
            ps.setInt(3, d.version());
            ps.setString(4, d.key());
            ps.setString(5, claim ? "RUNNING" : "PENDING");
            ps.setString(6, queue);
            ps.setInt(7, priority);
            Rows.setNullableString(ps, 8, ckey);
            Rows.setNullableString(ps, 9, parent);
            ps.setString(10, inputJson);
            ps.setLong(11, claim ? 1 : 0);
            Rows.setNullableLong(ps, 12, deadlineAt);
            ps.setString(13, contextJson);
            ps.setLong(14, now);
            ps.setLong(15, now);
            Rows.setNullableString(ps, 16, claim ? executorId : null);
            Rows.setNullableLong(ps, 17, claim ? leaseUntil : 0);
            Rows.setNullableLong(ps, 18, claim ? now : 0);
            String started = d.key() + " on queue " + queue;
            if (pg) {
              // the run and its first timeline entry in one round trip
              ps.setLong(19, now);
              ps.setString(20, eventDetail(started));
            }
            if (ps.executeUpdate() == 0) {
              return false;
            }
            if (!pg) {
              event(s, runId, now, "started", started);
            }
            if (q != null && claim) {
              if (counted) {
                roomTaken(s, q);
              }
              claimed[0] =
                  new Rows.Run(
                      runId,
                      d.name(),
                      d.version(),
                      RunStatus.RUNNING,
                      "RUN",
                      queue,
                      priority,
                      parent,
                      inputJson,
                      null,
                      null,
                      executorId,
                      leaseUntil,
                      1,
                      0,
                      deadlineAt,
                      contextJson,
                      null,
                      false,
                      now,
                      now,
                      0);
            } else if (q != null && counted) {
              pendingAdded(s, q);
            }
            return true;
          };
      // PostgreSQL, nothing to count: the insert (with its timeline entry) is the job's one
      // statement, committed by itself when it is alone in its batch
      boolean created =
          w.write(
              dialect == Dialect.POSTGRES && !counted
                  ? (Writer.OneStatement) insert::apply
                  : insert);
      return new Inserted(created, created ? claimed[0] : null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SagaStoreException("interrupted while starting run " + runId, e);
    }
  }

  /**
   * True when queue {@code q} has room for one more run and no run waits in it, as this writer
   * transaction sees it: counted once per batch (on PostgreSQL under the queue's advisory lock, the
   * lock the pump's claims take), then kept up to date by the batch's own inserts.
   */
  private boolean roomAtStart(Writer.Statements s, QueueConfig q) throws SQLException {
    int[] counts = queueCounts(s, q);
    return counts[1] == 0 && counts[0] < q.concurrency();
  }

  private void roomTaken(Writer.Statements s, QueueConfig q) throws SQLException {
    queueCounts(s, q)[0]++;
  }

  private void pendingAdded(Writer.Statements s, QueueConfig q) throws SQLException {
    queueCounts(s, q)[1]++;
  }

  /** {@code [live runs, pending runs]} of queue {@code q} in this batch's transaction. */
  private int[] queueCounts(Writer.Statements s, QueueConfig q) throws SQLException {
    int[] counts = s.batchScratch().get("queue:" + q.name());
    if (counts != null) {
      return counts;
    }
    lockQueues(s);
    PreparedStatement ps =
        s.prepare(
            "SELECT COALESCE(SUM(CASE WHEN status = 'PENDING' THEN 0 ELSE 1 END), 0),"
                + " COALESCE(SUM(CASE WHEN status = 'PENDING' THEN 1 ELSE 0 END), 0) FROM"
                + " saga_runs WHERE queue = ? AND status IN"
                + " ('PENDING','RUNNING','WAITING','COMPENSATING')");
    ps.setString(1, q.name());
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      counts = new int[] {rs.getInt(1), rs.getInt(2)};
    }
    s.batchScratch().put("queue:" + q.name(), counts);
    return counts;
  }

  /**
   * PostgreSQL: the queues' advisory locks for this transaction (claims across executors). The
   * first claim of a transaction takes the lock of every queue of this executor, in ascending key
   * order, so two transactions (a pump round and a batch of starts, on two executors) never wait
   * for each other's locks in opposite orders.
   */
  private void lockQueues(Writer.Statements s) throws SQLException {
    if (dialect != Dialect.POSTGRES || s.batchScratch().containsKey(QUEUE_LOCKS)) {
      return;
    }
    PreparedStatement lockQ = s.prepare("SELECT pg_advisory_xact_lock(?)");
    for (long key : queueLockKeys) {
      lockQ.setLong(1, key);
      lockQ.executeQuery().close();
    }
    s.batchScratch().put(QUEUE_LOCKS, new int[0]);
  }

  private static final String QUEUE_LOCKS = "queue-locks";

  /** At most this many queues are counted ahead in a claims transaction's first round trip. */
  private static final int COUNTED_AHEAD = 16;

  /**
   * PostgreSQL, the claims writer's prologue: the queues' locks (as {@link #lockQueues}) and the
   * counts of the queues a start may claim in (no rate limit) in one round trip, the statements
   * pipelined: the count is its own statement after the locks, so its snapshot sees every run
   * committed under them. A batch of starts then needs no round trip of its own before its inserts.
   * A pump round in the batch drops these counts (it claims runs), and a start after it counts
   * again.
   */
  private void lockQueuesAndCount(Writer.Statements s) throws SQLException {
    if (dialect != Dialect.POSTGRES
        || s.batchScratch().containsKey(QUEUE_LOCKS)
        || countedAhead.isEmpty()
        || countedAhead.size() > COUNTED_AHEAD) {
      lockQueues(s);
      return;
    }
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < queueLockKeys.length; i++) {
      sql.append("SELECT pg_advisory_xact_lock(?); ");
    }
    sql.append(
        "SELECT queue, COALESCE(SUM(CASE WHEN status = 'PENDING' THEN 0 ELSE 1 END), 0),"
            + " COALESCE(SUM(CASE WHEN status = 'PENDING' THEN 1 ELSE 0 END), 0) FROM saga_runs"
            + " WHERE status IN ('PENDING','RUNNING','WAITING','COMPENSATING') AND queue IN (");
    for (int i = 0; i < countedAhead.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    sql.append(") GROUP BY queue");
    PreparedStatement ps = s.prepare(sql.toString());
    int p = 1;
    for (long key : queueLockKeys) {
      ps.setLong(p++, key);
    }
    Map<String, int[]> counts = new java.util.HashMap<>();
    for (String q : countedAhead) {
      ps.setString(p++, q);
      counts.put("queue:" + q, new int[] {0, 0});
    }
    boolean isResult = ps.execute();
    while (true) {
      if (isResult) {
        try (ResultSet rs = ps.getResultSet()) {
          if (rs.getMetaData().getColumnCount() == 3) {
            while (rs.next()) {
              int[] c = counts.get("queue:" + rs.getString(1));
              if (c != null) {
                c[0] = rs.getInt(2);
                c[1] = rs.getInt(3);
              }
            }
          }
        }
      } else if (ps.getUpdateCount() == -1) {
        break;
      }
      isResult = ps.getMoreResults();
    }
    s.batchScratch().put(QUEUE_LOCKS, new int[0]);
    s.batchScratch().putAll(counts);
  }

  private static long queueLockKey(String queue) {
    return 0x5A6A000000000000L ^ queue.hashCode();
  }

  static void event(Writer.Statements s, String runId, long at, String kind, String detail)
      throws SQLException {
    PreparedStatement ps =
        s.prepare("INSERT INTO saga_events (run_id, at, kind, detail) VALUES (?, ?, ?, ?)");
    ps.setString(1, runId);
    ps.setLong(2, at);
    ps.setString(3, kind);
    ps.setString(4, eventDetail(detail));
    ps.executeUpdate();
  }

  /** A timeline entry's detail as stored (at most 4,000 characters). */
  static String eventDetail(String detail) {
    return detail.length() > 4000 ? detail.substring(0, 4000) : detail;
  }

  private static final String INSERT_RUN =
      "INSERT INTO saga_runs (run_id, workflow, version, wf_key, status, phase, queue, priority,"
          + " ckey, parent_run_id, input_json, fence, deadline_at, context_json, cancel_requested,"
          + " created_at, updated_at, signal_seq, owner, lease_until, started_at) VALUES (?, ?, ?,"
          + " ?, ?, 'RUN', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, ?, ?, ?) ON CONFLICT (run_id) DO"
          + " NOTHING";

  /**
   * PostgreSQL: {@link #INSERT_RUN} and the run's "started" timeline entry in one statement (one
   * round trip instead of two); 1 row when the run was created, 0 when it existed.
   */
  private static final String PG_INSERT_RUN =
      "WITH r AS ("
          + INSERT_RUN
          + " RETURNING run_id) INSERT INTO saga_events (run_id, at, kind, detail) SELECT run_id,"
          + " ?, 'started', ? FROM r";

  /** The rule of the API's names: 1 to 128 letters, digits and {@code . _ - :}. */
  static String checkName(String what, String name) {
    boolean ok = !name.isEmpty() && name.length() <= 128;
    for (int i = 0; ok && i < name.length(); i++) {
      char c = name.charAt(i);
      ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == ':';
    }
    if (!ok) {
      throw new IllegalArgumentException(
          what + " must be 1 to 128 letters, digits and . _ - :, got '" + name + "'");
    }
    return name;
  }

  private static void checkRunId(String runId) {
    Objects.requireNonNull(runId, "runId");
    if (runId.isEmpty() || runId.length() > 512) {
      throw new IllegalArgumentException(
          "run id must be 1 to 512 characters, got " + runId.length());
    }
    for (int i = 0; i < runId.length(); i++) {
      if (Character.isISOControl(runId.charAt(i))) {
        throw new IllegalArgumentException(
            "run id must not contain control characters (character " + (i + 1) + ")");
      }
    }
  }

  @Override
  public <O> RunHandle<O> handle(String runId, Class<O> outputType) {
    Objects.requireNonNull(outputType, "outputType");
    Objects.requireNonNull(runId, "runId");
    if (readRun(runId) == null) {
      throw new UnknownRunException(runId);
    }
    return new Handle<>(this, runId, false, outputType, null);
  }

  @Override
  public Optional<RunView> run(String runId) {
    Objects.requireNonNull(runId, "runId");
    return read(
        c -> {
          Rows.Run r = Rows.readRun(c, runId);
          if (r == null) {
            return Optional.empty();
          }
          List<io.bulwark.saga.StepView> steps = new ArrayList<>();
          for (Rows.StepRow s : Rows.readSteps(c, runId).values()) {
            steps.add(s.view());
          }
          return Optional.of(
              new RunView(
                  r.runId(),
                  r.workflow(),
                  r.version(),
                  r.status(),
                  r.queue(),
                  r.priority(),
                  r.parentRunId(),
                  r.inputJson(),
                  r.outputJson(),
                  r.cause(),
                  r.owner(),
                  Instant.ofEpochMilli(r.createdAt()),
                  Instant.ofEpochMilli(r.updatedAt()),
                  Rows.stateMap(r.stateJson(), json),
                  steps,
                  Rows.readTimeline(c, runId)));
        });
  }

  @Override
  public List<RunSummary> runs(RunQuery query) {
    Objects.requireNonNull(query, "query");
    StringBuilder sql =
        new StringBuilder(
            "SELECT run_id, workflow, version, status, cause, created_at, updated_at FROM"
                + " saga_runs WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (query.workflow() != null) {
      sql.append(" AND workflow = ?");
      args.add(query.workflow());
    }
    if (!query.statuses().isEmpty()) {
      sql.append(" AND status IN (");
      int i = 0;
      for (RunStatus st : query.statuses()) {
        sql.append(i++ > 0 ? ", ?" : "?");
        args.add(st.name());
      }
      sql.append(')');
    }
    if (query.createdFrom() != null) {
      sql.append(" AND created_at >= ?");
      args.add(query.createdFrom().toEpochMilli());
    }
    if (query.createdTo() != null) {
      sql.append(" AND created_at < ?");
      args.add(query.createdTo().toEpochMilli());
    }
    sql.append(" ORDER BY created_at DESC, run_id DESC LIMIT ").append(query.limit());
    return read(
        c -> {
          List<RunSummary> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
              ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new RunSummary(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getInt(3),
                        RunStatus.valueOf(rs.getString(4)),
                        rs.getString(5),
                        Instant.ofEpochMilli(rs.getLong(6)),
                        Instant.ofEpochMilli(rs.getLong(7))));
              }
            }
          }
          return out;
        });
  }

  @Override
  public void signal(String runId, String name, Object payload) {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(name, "signal name");
    checkName("signal name", name);
    String payloadJson = json.encode(runId, "signal " + name, payload);
    long now = clock.wallMillis();
    Boolean ok =
        writeOrThrow(
            s -> {
              PreparedStatement ps =
                  s.prepare(
                      "UPDATE saga_runs SET signal_seq = signal_seq + 1, wake_at = CASE WHEN"
                          + " status = 'WAITING' THEN ? ELSE wake_at END WHERE run_id = ? AND"
                          + " status NOT IN ('COMPLETED','COMPENSATED')");
              ps.setLong(1, now);
              ps.setString(2, runId);
              if (ps.executeUpdate() == 0) {
                return false;
              }
              PreparedStatement ins =
                  s.prepare(
                      "INSERT INTO saga_signals (run_id, name, payload_json, consumed, created_at)"
                          + " VALUES (?, ?, ?, 0, ?)");
              ins.setString(1, runId);
              ins.setString(2, name);
              ins.setString(3, payloadJson);
              ins.setLong(4, now);
              ins.executeUpdate();
              event(s, runId, now, "signal", name);
              return true;
            });
    if (!ok) {
      Rows.Run r = readRun(runId);
      if (r == null) {
        throw new UnknownRunException(runId);
      }
      throw new IllegalStateException(
          "run " + runId + " has ended (" + r.status() + "); signal '" + name + "' not kept");
    }
    wake();
  }

  @Override
  public void cancel(String runId, String reason) {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(reason, "reason");
    String cause = "cancelled: " + reason;
    long now = clock.wallMillis();
    Boolean done =
        writeOrThrow(
            s -> {
              // not held by anyone: turn it to compensation at once
              PreparedStatement ps =
                  s.prepare(
                      "UPDATE saga_runs SET status = 'COMPENSATING', phase = 'COMP', cause = ?,"
                          + " owner = NULL, wake_at = ?, fence = fence + 1, updated_at = ? WHERE"
                          + " run_id = ? AND (status IN ('PENDING','WAITING','PARKED') OR (owner"
                          + " IS NULL AND status IN ('RUNNING','COMPENSATING')))");
              ps.setString(1, cause);
              ps.setLong(2, now);
              ps.setLong(3, now);
              ps.setString(4, runId);
              if (ps.executeUpdate() == 1) {
                event(s, runId, now, "cancel", reason);
                return true;
              }
              // held by an executor: ask it (it checks at its next step)
              PreparedStatement req =
                  s.prepare(
                      "UPDATE saga_runs SET cancel_requested = 1, cause = ?, signal_seq ="
                          + " signal_seq + 1, updated_at = ? WHERE run_id = ? AND status IN"
                          + " ('RUNNING','COMPENSATING')");
              req.setString(1, cause);
              req.setLong(2, now);
              req.setString(3, runId);
              if (req.executeUpdate() == 1) {
                event(s, runId, now, "cancel", reason);
                return true;
              }
              return false;
            });
    if (!done) {
      Rows.Run r = readRun(runId);
      if (r == null) {
        throw new UnknownRunException(runId);
      }
      throw new IllegalStateException(
          "run " + runId + " has ended (" + r.status() + "); nothing to cancel");
    }
    Execution ex = executing.get(runId);
    if (ex != null) {
      ex.requestCancel(cause);
    }
    wake();
  }

  @Override
  public void retry(String runId) {
    operate(runId, false);
  }

  @Override
  public void skip(String runId) {
    operate(runId, true);
  }

  private void operate(String runId, boolean skip) {
    Objects.requireNonNull(runId, "runId");
    Rows.Run r = readRun(runId);
    if (r == null) {
      throw new UnknownRunException(runId);
    }
    if (r.status() != RunStatus.PARKED) {
      throw new IllegalStateException(
          "run "
              + runId
              + " is "
              + r.status()
              + ", not PARKED; only a parked run can be "
              + (skip ? "skipped" : "retried"));
    }
    boolean comp = r.phase().equals("COMP");
    if (skip && !comp) {
      throw new IllegalStateException(
          "run "
              + runId
              + " is parked outside compensation ("
              + r.cause()
              + "); nothing to skip: retry or cancel it");
    }
    long now = clock.wallMillis();
    Boolean ok =
        writeOrThrow(
            s -> {
              PreparedStatement ps =
                  s.prepare(
                      "UPDATE saga_runs SET status = ?, owner = NULL, wake_at = ?, fence = fence"
                          + " + 1, updated_at = ? WHERE run_id = ? AND status = 'PARKED' AND"
                          + " fence = ?");
              ps.setString(1, comp ? "COMPENSATING" : "WAITING");
              ps.setLong(2, now);
              ps.setLong(3, now);
              ps.setString(4, runId);
              ps.setLong(5, r.fence());
              if (ps.executeUpdate() == 0) {
                return false;
              }
              PreparedStatement st =
                  s.prepare(
                      skip
                          ? "UPDATE saga_steps SET status = 'COMPENSATED', error = 'skipped by an"
                              + " operator', next_attempt_at = NULL WHERE run_id = ? AND status ="
                              + " 'COMPENSATION_FAILED'"
                          : "UPDATE saga_steps SET status = 'COMPENSATING', comp_attempts = 0,"
                              + " next_attempt_at = NULL WHERE run_id = ? AND status ="
                              + " 'COMPENSATION_FAILED'");
              st.setString(1, runId);
              st.executeUpdate();
              event(s, runId, now, skip ? "skipped" : "retried", "by an operator");
              return true;
            });
    if (!ok) {
      throw new IllegalStateException("run " + runId + " changed while being operated; try again");
    }
    wake();
  }

  @Override
  public List<String> missingDefinitions() {
    return List.copyOf(missing);
  }

  @Override
  public List<String> definitions() {
    return settings.definitionList().stream().map(WorkflowDefinition::key).toList();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ScheduledTask t : periodic) {
      t.cancel();
    }
    ScheduledTask t = timer;
    if (t != null) {
      t.cancel();
    }
    pump.interrupt();
    for (Execution e : executing.values()) {
      e.requestRelease();
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    lock.lock();
    try {
      while (!executing.isEmpty() && System.nanoTime() < until) {
        changed.await(50, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    for (Execution e : executing.values()) {
      e.interrupt();
    }
    for (Writer w : runWriters) {
      w.close();
    }
  }

  boolean closed() {
    return closed;
  }

  // ---- reads ---------------------------------------------------------------------------------

  interface Read<T> {
    T apply(Connection c) throws SQLException;
  }

  /** Reads with retries: a store that blinks delays the answer (up to about 30 s), not fails it. */
  <T> T read(Read<T> read) {
    long backoff = 20;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection c = store.dataSource().getConnection()) {
        return read.apply(c);
      } catch (SQLException e) {
        if (System.nanoTime() > until || closed) {
          throw new SagaStoreException("saga store " + store.url() + ": " + e.getMessage(), e);
        }
        try {
          TimeUnit.MILLISECONDS.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new SagaStoreException("interrupted reading saga store " + store.url(), ie);
        }
        backoff = Math.min(1_000, backoff * 2);
      }
    }
  }

  @SuppressWarnings("NullAway") // read's T is the lambda's nullable result
  Rows.@Nullable Run readRun(String runId) {
    return read(c -> Rows.readRun(c, runId));
  }

  /** The writer of {@code runId}'s progress. */
  Writer writer(String runId) {
    return runWriters[runWriters.length - 1];
  }

  Boolean writeOrThrow(Writer.Job job) {
    try {
      return writer.write(job);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SagaStoreException("interrupted writing to saga store " + store.url(), e);
    }
  }

  // ---- pump: claims runnable runs ----------------------------------------------------------

  /** Asks the pump for a round (coalesced). */
  void wake() {
    if (closed) {
      return;
    }
    if (pumpRequested.compareAndSet(false, true)) {
      busyAdd(1);
      pumpSignal.release();
    }
  }

  private void pumpLoop() {
    while (!closed) {
      try {
        pumpSignal.acquire();
        pumpSignal.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
      pumpRequested.set(false);
      try {
        round();
      } catch (RuntimeException | InterruptedException e) {
        if (closed) {
          busyAdd(-1);
          return;
        }
        LOG.log(
            System.Logger.Level.WARNING, "saga executor " + executorId + ": pump round failed", e);
        armTimer(clock.wallMillis() + 200);
      } finally {
        busyAdd(-1);
      }
    }
  }

  private record Claim(
      String runId,
      long fence,
      @Nullable String previousOwner,
      String status,
      Rows.@Nullable Run row) {}

  private void round() throws InterruptedException {
    long now = clock.wallMillis();
    boolean recovery = firstRound;
    firstRound = false;
    long ends0 = ends.get();
    int free = reserveSlots(settings.workers());
    if (free <= 0) {
      recovered = true;
      heldBack = true;
      if (ends.get() != ends0) {
        wake();
      }
      return;
    }
    List<Claim> claims = new ArrayList<>();
    long[] nextWake = {Long.MAX_VALUE};
    try {
      writer.write(s -> claimAll(s, now, free, recovery, claims, nextWake));
    } catch (RuntimeException | InterruptedException e) {
      releaseSlots(free);
      throw e;
    } finally {
      recovered = true;
    }
    // each launch takes one reserved slot; the rest go back
    releaseSlots(free - claims.size());
    // a run that ends frees a slot of its queue: the next end wakes the pump if runs wait for one
    heldBack = roundHeldBack;
    if (roundHeldBack && ends.get() != ends0) {
      wake();
    }
    int adopted = 0;
    for (Claim c : claims) {
      if (c.previousOwner() != null && !c.status().equals("PENDING")) {
        adopted++;
        settings
            .telemetry()
            .decisions()
            .record(
                "saga",
                "adopt",
                "run " + c.runId() + " from executor " + c.previousOwner() + " by " + executorId);
      }
      launch(c);
    }
    if (recovery) {
      long ms = (System.nanoTime() - startedNanos) / 1_000_000;
      LOG.log(
          System.Logger.Level.INFO,
          "saga executor "
              + executorId
              + " on "
              + store.url()
              + ": recovered "
              + adopted
              + " unfinished runs in "
              + ms
              + " ms");
    }
    if (claims.size() >= free) {
      wake();
    } else if (nextWake[0] != Long.MAX_VALUE) {
      armTimer(nextWake[0]);
    }
  }

  /** Reserves up to {@code wanted} worker slots; returns how many it reserved. */
  private int reserveSlots(int wanted) {
    while (true) {
      int used = slots.get();
      int n = Math.min(wanted, settings.workers() - used);
      if (n <= 0) {
        return 0;
      }
      if (slots.compareAndSet(used, used + n)) {
        return n;
      }
    }
  }

  private void releaseSlots(int n) {
    if (n > 0) {
      slots.addAndGet(-n);
    }
  }

  private boolean claimAll(
      Writer.Statements s,
      long now,
      int free,
      boolean recovery,
      List<Claim> claims,
      long[] nextWake)
      throws SQLException {
    claims.clear();
    roundHeldBack = false;
    String skipLocked = dialect == Dialect.POSTGRES ? " FOR UPDATE SKIP LOCKED" : "";
    // 1. due runs nobody holds
    selectClaims(
        s,
        "SELECT run_id, fence, owner, status FROM saga_runs WHERE owner IS NULL AND wake_at <= ?"
            + " AND status IN ('RUNNING','WAITING','COMPENSATING') AND wf_key IN "
            + keysIn
            + " ORDER BY wake_at LIMIT "
            + free
            + skipLocked,
        ps -> ps.setLong(1, now),
        claims);
    // 2. held runs whose lease lapsed (SQLite: one process, so at start every held run is ours)
    if (claims.size() < free) {
      boolean all = recovery && dialect == Dialect.SQLITE;
      selectClaims(
          s,
          "SELECT run_id, fence, owner, status FROM saga_runs WHERE owner IS NOT NULL AND"
              + " status IN ('RUNNING','COMPENSATING') AND wf_key IN "
              + keysIn
              + (all ? "" : " AND ((lease_until < ? AND owner <> ?) OR owner = ?)")
              + " LIMIT "
              + (free - claims.size())
              + skipLocked,
          ps -> {
            if (!all) {
              // another executor's lapsed lease; our own runs only at start (a restart with the
              // same executor id): a run of ours whose lease lapsed in a pause is still ours
              ps.setLong(1, now);
              ps.setString(2, executorId);
              ps.setString(3, recovery ? executorId : "");
            }
          },
          claims);
    }
    // 3. queued runs, per queue within its limits
    for (var q : settings.queues().values()) {
      if (claims.size() >= free) {
        break;
      }
      Long blocked = queueBlockedUntil.get(q.name());
      if (blocked != null && blocked > now) {
        nextWake[0] = Math.min(nextWake[0], blocked);
        continue;
      }
      claimQueue(s, q, now, free - claims.size(), claims, nextWake, skipLocked);
    }
    long lease = now + settings.lease().toMillis();
    PreparedStatement up =
        s.prepare(
            "UPDATE saga_runs SET status = CASE WHEN status IN ('PENDING','WAITING') THEN"
                + " 'RUNNING' ELSE status END, owner = ?, lease_until = ?, fence = fence + 1,"
                + " wake_at = NULL, started_at = COALESCE(started_at, ?), updated_at = ? WHERE"
                + " run_id = ? AND fence = ?");
    List<Claim> won = new ArrayList<>();
    for (Claim c : claims) {
      up.setString(1, executorId);
      up.setLong(2, lease);
      up.setLong(3, now);
      up.setLong(4, now);
      up.setString(5, c.runId());
      up.setLong(6, c.fence());
      if (up.executeUpdate() == 1) {
        Rows.Run r = c.row();
        won.add(
            new Claim(
                c.runId(),
                c.fence() + 1,
                c.previousOwner(),
                c.status(),
                r == null ? null : r.claimed(executorId, c.fence() + 1)));
        if (c.previousOwner() != null && !c.status().equals("PENDING")) {
          event(s, c.runId(), now, "adopted", "by " + executorId + " from " + c.previousOwner());
        }
      }
    }
    claims.clear();
    claims.addAll(won);
    // the starts that claim in this batch count their queue again (the locks stay held)
    s.batchScratch().keySet().removeIf(k -> k.startsWith("queue:"));
    // the next due wake-up, for the timer
    try (PreparedStatement ps =
        s.connection()
            .prepareStatement(
                "SELECT MIN(wake_at) FROM saga_runs WHERE owner IS NULL AND wake_at IS NOT NULL"
                    + " AND status IN ('RUNNING','WAITING','COMPENSATING') AND wf_key IN "
                    + keysIn)) {
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          long w = rs.getLong(1);
          if (!rs.wasNull() && w > now) {
            nextWake[0] = Math.min(nextWake[0], w);
          }
        }
      }
    }
    return true;
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private static void selectClaims(Writer.Statements s, String sql, Binder binder, List<Claim> into)
      throws SQLException {
    PreparedStatement ps = s.prepare(sql);
    binder.bind(ps);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        into.add(new Claim(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), null));
      }
    }
  }

  private void claimQueue(
      Writer.Statements s,
      io.bulwark.saga.QueueConfig q,
      long now,
      int room,
      List<Claim> claims,
      long[] nextWake,
      String skipLocked)
      throws SQLException {
    lockQueues(s);
    int inFlight;
    PreparedStatement count =
        s.prepare("SELECT COUNT(*) FROM saga_runs WHERE queue = ? AND status IN " + LIVE);
    count.setString(1, q.name());
    try (ResultSet rs = count.executeQuery()) {
      rs.next();
      inFlight = rs.getInt(1);
    }
    int allowed = Math.min(room, q.concurrency() - inFlight);
    if (q.startsPerSecond() > 0) {
      long window = (long) Math.max(1_000, Math.ceil(1_000 / q.startsPerSecond()));
      int perWindow = (int) Math.max(1, Math.floor(q.startsPerSecond() * window / 1_000.0));
      PreparedStatement started =
          s.prepare(
              "SELECT COUNT(*), MIN(started_at) FROM saga_runs WHERE queue = ? AND started_at > ?");
      started.setString(1, q.name());
      started.setLong(2, now - window);
      try (ResultSet rs = started.executeQuery()) {
        rs.next();
        int recent = rs.getInt(1);
        long oldest = rs.getLong(2);
        if (recent >= perWindow) {
          queueBlockedUntil.put(q.name(), oldest + window + 1);
          nextWake[0] = Math.min(nextWake[0], oldest + window + 1);
        }
        allowed = Math.min(allowed, perWindow - recent);
      }
    }
    if (allowed <= 0) {
      if (q.concurrency() - inFlight <= 0) {
        roundHeldBack = true;
      }
      return;
    }
    Map<String, Integer> perKey = new java.util.HashMap<>();
    if (q.perKeyConcurrency() < q.concurrency()) {
      PreparedStatement keys =
          s.prepare(
              "SELECT ckey, COUNT(*) FROM saga_runs WHERE queue = ? AND ckey IS NOT NULL AND"
                  + " status IN "
                  + LIVE
                  + " GROUP BY ckey");
      keys.setString(1, q.name());
      try (ResultSet rs = keys.executeQuery()) {
        while (rs.next()) {
          perKey.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    PreparedStatement pending =
        s.prepare(
            "SELECT "
                + Rows.RUN_COLUMNS
                + ", ckey FROM saga_runs WHERE status = 'PENDING' AND queue = ? AND"
                + " wf_key IN "
                + keysIn
                + " ORDER BY priority DESC, created_at, run_id LIMIT ?"
                + skipLocked);
    pending.setString(1, q.name());
    pending.setInt(2, q.perKeyConcurrency() < q.concurrency() ? allowed * 4 + 16 : allowed);
    try (ResultSet rs = pending.executeQuery()) {
      while (rs.next() && allowed > 0) {
        String key = rs.getString(23);
        if (key != null && q.perKeyConcurrency() < q.concurrency()) {
          int n = perKey.getOrDefault(key, 0);
          if (n >= q.perKeyConcurrency()) {
            roundHeldBack = true;
            continue;
          }
          perKey.put(key, n + 1);
        }
        Rows.Run row = Rows.run(rs);
        claims.add(new Claim(row.runId(), row.fence(), null, "PENDING", row));
        allowed--;
      }
    }
    if (allowed == 0) {
      roundHeldBack = true; // the limit is reached: queued runs may be left behind it
    }
  }

  /** Launches a claimed run on a slot reserved for it (released when the execution ends). */
  private void launch(Claim c) {
    Execution ex = new Execution(this, c.runId(), c.fence(), c.row());
    // a run woken again while its last execution is still finishing starts after that one ends
    Execution previous = executing.put(c.runId(), ex);
    busyAdd(1);
    Thread.ofVirtual()
        .name("saga-run-" + c.runId())
        .start(
            () -> {
              try {
                if (previous != null) {
                  previous.awaitEnd();
                }
                ex.run();
              } catch (RuntimeException | Error | InterruptedException e) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "saga executor " + executorId + ": run " + c.runId() + " stopped: " + e,
                    e);
                ex.releaseAfterError();
              } finally {
                ex.ended();
                executing.remove(c.runId(), ex);
                ends.incrementAndGet();
                releaseSlots(1);
                if (heldBack) {
                  wake();
                }
                busyAdd(-1);
                signalChange();
              }
            });
  }

  /** Arms the wake-up timer for {@code at} (wall millis on the engine's clock) if it is earlier. */
  void armTimer(long at) {
    if (closed) {
      return;
    }
    lock.lock();
    try {
      if (at >= timerAt && timer != null && !timer.isCancelled()) {
        return;
      }
      ScheduledTask old = timer;
      if (old != null) {
        old.cancel();
      }
      long delay = Math.max(0, at - clock.wallMillis());
      timerAt = at;
      timer =
          settings
              .scheduler()
              .schedule(
                  TimeUnit.MILLISECONDS.toNanos(delay),
                  () -> {
                    lock.lock();
                    try {
                      timerAt = Long.MAX_VALUE;
                      timer = null;
                    } finally {
                      lock.unlock();
                    }
                    wake();
                  });
    } finally {
      lock.unlock();
    }
  }

  // ---- heartbeat ---------------------------------------------------------------------------

  private void register() throws InterruptedException {
    long now = clock.wallMillis();
    writer.write(
        s -> {
          PreparedStatement ps =
              s.prepare(
                  "INSERT INTO saga_executors (executor_id, started_at, heartbeat_at) VALUES (?,"
                      + " ?, ?) ON CONFLICT (executor_id) DO UPDATE SET started_at ="
                      + " excluded.started_at, heartbeat_at = excluded.heartbeat_at");
          ps.setString(1, executorId);
          ps.setLong(2, now);
          ps.setLong(3, now);
          ps.executeUpdate();
          return true;
        });
  }

  private void heartbeatTick() {
    if (closed || !heartbeatRunning.compareAndSet(false, true)) {
      return;
    }
    busyAdd(1);
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                heartbeat();
              } catch (RuntimeException | InterruptedException e) {
                if (!closed) {
                  LOG.log(
                      System.Logger.Level.WARNING,
                      "saga executor " + executorId + ": heartbeat failed: " + e);
                }
              } finally {
                heartbeatRunning.set(false);
                busyAdd(-1);
              }
            });
  }

  private void heartbeat() throws InterruptedException {
    long now = clock.wallMillis();
    long lease = now + settings.lease().toMillis();
    List<String> cancels = new ArrayList<>();
    // renew exactly the runs this executor is executing, under the fence it holds them with: a run
    // it lost (or never launched) is never kept alive by its heartbeat
    Map<String, Long> held = new java.util.TreeMap<>();
    for (Execution e : executing.values()) {
      held.put(e.runId, e.fence);
    }
    Set<String> renewed = new HashSet<>();
    writer.write(
        s -> {
          PreparedStatement ex =
              s.prepare("UPDATE saga_executors SET heartbeat_at = ? WHERE executor_id = ?");
          ex.setLong(1, now);
          ex.setString(2, executorId);
          ex.executeUpdate();
          renewed.clear();
          renewLeases(s, held, lease, renewed);
          PreparedStatement c =
              s.prepare(
                  "SELECT run_id, cause FROM saga_runs WHERE owner = ? AND cancel_requested = 1");
          c.setString(1, executorId);
          cancels.clear();
          try (ResultSet rs = c.executeQuery()) {
            while (rs.next()) {
              cancels.add(rs.getString(1));
            }
          }
          return true;
        });
    if (dialect == Dialect.POSTGRES && renewed.size() < held.size()) {
      // rows another transaction held (a checkpoint committing, mostly) were skipped, not waited
      // for: once more in a transaction of their own; what is still held waits for the next beat
      // (at most a third of the lease away)
      held.keySet().removeAll(renewed);
      writer.write(
          s -> {
            renewLeases(s, held, lease, new HashSet<>());
            return true;
          });
    }
    for (String id : cancels) {
      Execution e = executing.get(id);
      if (e != null) {
        e.requestCancel("cancelled");
      }
    }
    findMissing(false);
  }

  /**
   * Extends the lease of the runs in {@code held} (run id → fence, in run-id order) that this
   * executor still holds under that fence; adds the renewed ones to {@code renewed}.
   *
   * <p>On PostgreSQL one statement locks the rows in run-id order and skips a row another
   * transaction holds instead of waiting for it: a checkpoint or claim batch on another lane locks
   * several run rows in its own order, and a heartbeat that waited for one of them while holding
   * another was a deadlock (the database aborted one of the two). Never waiting, the heartbeat is
   * never part of a lock cycle; a skipped row is renewed by the retry or the next beat. SQLite has
   * one writer at a time (no row locks): one update per run, in the same order.
   */
  private void renewLeases(
      Writer.Statements s, Map<String, Long> held, long lease, Set<String> renewed)
      throws SQLException {
    if (held.isEmpty()) {
      return;
    }
    if (dialect == Dialect.POSTGRES) {
      PreparedStatement ps =
          s.prepare(
              "UPDATE saga_runs r SET lease_until = ? FROM (SELECT h.run_id FROM saga_runs h"
                  + " JOIN unnest(?::varchar[], ?::bigint[]) AS k(run_id, fence) ON h.run_id ="
                  + " k.run_id AND h.fence = k.fence WHERE h.owner = ? ORDER BY h.run_id FOR"
                  + " UPDATE OF h SKIP LOCKED) l WHERE r.run_id = l.run_id RETURNING r.run_id");
      Connection c = s.connection();
      ps.setLong(1, lease);
      ps.setArray(2, c.createArrayOf("varchar", held.keySet().toArray()));
      ps.setArray(3, c.createArrayOf("bigint", held.values().toArray()));
      ps.setString(4, executorId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          renewed.add(rs.getString(1));
        }
      }
      return;
    }
    PreparedStatement ps =
        s.prepare(
            "UPDATE saga_runs SET lease_until = ? WHERE run_id = ? AND fence = ? AND owner = ?");
    for (Map.Entry<String, Long> e : held.entrySet()) {
      ps.setLong(1, lease);
      ps.setString(2, e.getKey());
      ps.setLong(3, e.getValue());
      ps.setString(4, executorId);
      if (ps.executeUpdate() == 1) {
        renewed.add(e.getKey());
      }
    }
  }

  private void findMissing(boolean log) {
    List<String> found =
        read(
            c -> {
              List<String> out = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT DISTINCT wf_key FROM saga_runs WHERE status NOT IN"
                          + " ('COMPLETED','COMPENSATED')")) {
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    String k = rs.getString(1);
                    if (!settings.definitions().containsKey(k)) {
                      out.add(k);
                    }
                  }
                }
              }
              out.sort(null);
              return out;
            });
    for (String k : found) {
      if (!missing.contains(k)) {
        missing.add(k);
      }
    }
    if (log && !found.isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "saga executor "
              + executorId
              + ": unfinished runs need definitions this executor does not have: "
              + String.join(", ", found)
              + " (their runs are left untouched)");
    }
  }

  // ---- idleness and status changes ----------------------------------------------------------

  private void busyAdd(int delta) {
    lock.lock();
    try {
      busy += delta;
      if (busy <= 0) {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  void signalChange() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until no run executes code and the pump has nothing to do (every run finished or waiting
   * on a timer or signal). False if {@code timeout} (real time) passes first.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (busy > 0) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private final Map<String, java.util.concurrent.CompletableFuture<Rows.@Nullable Run>> watchers =
      new ConcurrentHashMap<>();

  /**
   * A future completed at the next change of {@code runId}'s status made on this executor: with the
   * run's committed row when the change completed it, else with null (read the store).
   */
  java.util.concurrent.CompletableFuture<Rows.@Nullable Run> watch(String runId) {
    return watchers.computeIfAbsent(runId, k -> new java.util.concurrent.CompletableFuture<>());
  }

  /** Tells the waiters of {@code runId} that its status changed. */
  void runChanged(String runId) {
    runChanged(runId, null);
  }

  /** Tells the waiters of {@code runId} that it changed; {@code completed}: its committed row. */
  void runChanged(String runId, Rows.@Nullable Run completed) {
    var f = watchers.remove(runId);
    if (f != null) {
      f.complete(completed);
    }
    signalChange();
  }

  /**
   * The handle of a run. {@code first}: for a run this handle's start claimed, the watch registered
   * before the run existed, so the first wait needs no read of the store.
   */
  private record Handle<O>(
      SagaEngineImpl engine,
      String runId,
      boolean created,
      Class<O> type,
      java.util.concurrent.@Nullable CompletableFuture<Rows.@Nullable Run> first)
      implements RunHandle<O> {
    @Override
    public RunStatus status() {
      Rows.Run r = engine.readRun(runId);
      if (r == null) {
        throw new UnknownRunException(runId);
      }
      return r.status();
    }

    @Override
    public O await(Duration timeout) throws InterruptedException, TimeoutException {
      long until = System.nanoTime() + timeout.toNanos();
      var changed = first;
      Rows.@Nullable Run r = null;
      while (true) {
        if (changed == null) {
          changed = engine.watch(runId);
          r = engine.readRun(runId);
          if (r == null) {
            throw new UnknownRunException(runId);
          }
        }
        if (r != null) {
          switch (r.status()) {
            case COMPLETED -> {
              return Objects.requireNonNull(
                  engine.json.decode(r.outputJson(), type), () -> "run " + runId + " output");
            }
            case COMPENSATED, PARKED -> {
              throw new RunFailedException(
                  runId, r.status(), r.cause() == null ? "(no cause stored)" : r.cause());
            }
            default -> {}
          }
        }
        long left = until - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(
              "run "
                  + runId
                  + " is still "
                  + (r == null ? "running" : r.status())
                  + " after "
                  + timeout);
        }
        // a change on this executor completes the watch at once (a completion with its committed
        // row); one made elsewhere is seen by reading again
        try {
          r = changed.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(250)), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
          r = null;
        }
        if (r == null) {
          changed = null;
        }
      }
    }
  }
}
