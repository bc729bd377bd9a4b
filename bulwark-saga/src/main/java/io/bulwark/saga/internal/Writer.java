package io.bulwark.saga.internal;

import io.bulwark.saga.SagaStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Group commit: every engine write (checkpoints, status changes, timeline entries) is a {@link Job}
 * put on one queue, drained by one or more writer threads (lanes), each with its own connection: a
 * lane takes all jobs waiting at that moment (on PostgreSQL, only when no other lane is idle; else
 * the one job it woke for), runs them in one transaction and completes them after the one commit.
 * Concurrent runs so share a durable commit instead of paying one each; with few waiters a job
 * finds an idle lane at once instead of queueing behind another run's commit. A job's caller waits
 * for its commit, so one run's writes never overlap (parallel steps' writes touch different rows;
 * two lanes waiting on each other's row locks are a deadlock the database breaks, and the victim's
 * jobs are then retried one by one).
 *
 * <p>A job starts with its fenced statement (the run's row updated only where this executor still
 * holds the run's fence) and returns false, having written nothing, when that matches no row. A job
 * that fails with an SQL error is retried alone in its own transaction so it cannot take the
 * others' work with it. When the connection itself fails, the whole batch waits (backoff up to 2 s)
 * and is tried again on a new connection: the store blinking delays runs, it loses none.
 */
final class Writer implements AutoCloseable {
  /** The store's write lock around each batch (SQLite: one writer at a time; else a no-op). */
  interface WriteLock {
    void lock() throws InterruptedException;

    void unlock();
  }

  /** One unit of work inside the shared transaction. */
  interface Job {
    /** Writes; false when the fence did not match (nothing written). */
    boolean apply(Statements s) throws SQLException;
  }

  /**
   * A job that executes exactly one statement (its fence check and all its writes in that one
   * statement). Alone in its batch on a writer whose connections stay in transactions (PostgreSQL,
   * no prologue), it runs in auto-commit: the statement is its own transaction, atomic as before,
   * and durable when its result arrives: one round trip instead of the statement's and the
   * commit's.
   */
  interface OneStatement extends Job {}

  /** Prepared statements of the writer's connection, cached by SQL text. */
  static final class Statements {
    private final Connection connection;
    private final Map<String, PreparedStatement> cache = new HashMap<>();
    private final Map<String, int[]> scratch = new HashMap<>();

    Statements(Connection connection) {
      this.connection = connection;
    }

    PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement ps = cache.get(sql);
      if (ps == null) {
        ps = connection.prepareStatement(sql);
        cache.put(sql, ps);
      }
      return ps;
    }

    Connection connection() {
      return connection;
    }

    /** Counters the jobs of one transaction share; empty at the start of each transaction. */
    Map<String, int[]> batchScratch() {
      return scratch;
    }

    void close() {
      for (PreparedStatement ps : cache.values()) {
        try {
          ps.close();
        } catch (SQLException ignored) {
          // the connection is being dropped
        }
      }
      cache.clear();
    }
  }

  private record Pending(Job job, CompletableFuture<Boolean> done, boolean stop, long queuedAt) {}

  private static final Pending STOP = new Pending(s -> true, new CompletableFuture<>(), true, 0);
  private static final int MAX_BATCH = 512;

  private final DataSource dataSource;
  private final String url;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger liveLanes =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Lanes waiting for a job. */
  private final java.util.concurrent.atomic.AtomicInteger idleLanes =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Several lanes on a database that commits transactions in parallel (PostgreSQL): a lane that
   * takes a job while another lane waits takes that job alone and leaves the rest to the waiting
   * lanes (the queue wakes the next one), so jobs run side by side, each a one-statement job in
   * auto-commit where it is one; jobs are batched into one transaction only when every lane is
   * busy. Without this, the first lane to wake drained every waiting job into its batch while the
   * others slept: at 16 starters a batch held ~2 jobs, paying a statement round trip each and a
   * COMMIT the jobs alone would not.
   */
  private final boolean fanOut;

  private volatile boolean closed;

  /**
   * True for SQLite, whose driver opens the next transaction (and, in IMMEDIATE mode, takes the
   * write lock) as soon as one commits: between batches the connection returns to auto-commit so it
   * holds no lock while idle.
   */
  private final boolean autoCommitBetweenBatches;

  private final WriteLock writeLock;

  /** Run first in every transaction (the claims' writer: the queues' locks), or null. */
  private final @Nullable Job prologue;

  Writer(
      DataSource dataSource,
      String url,
      String name,
      int lanes,
      boolean autoCommitBetweenBatches,
      WriteLock writeLock,
      @Nullable Job prologue) {
    this.writeLock = writeLock;
    this.prologue = prologue;
    this.autoCommitBetweenBatches = autoCommitBetweenBatches;
    this.dataSource = dataSource;
    this.url = url;
    this.fanOut = lanes > 1 && !autoCommitBetweenBatches && prologue == null;
    liveLanes.set(lanes);
    for (int i = 0; i < lanes; i++) {
      Lane lane = new Lane();
      threads.add(
          Thread.ofPlatform().daemon().name(lanes == 1 ? name : name + "-" + i).start(lane::loop));
    }
  }

  /** Queues {@code job}; the future completes after the commit (false: fenced out). */
  CompletableFuture<Boolean> submit(Job job) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new SagaStoreException("saga store " + url + " is closed", null));
      return done;
    }
    queue.add(new Pending(job, done, false, System.nanoTime()));
    return done;
  }

  /** Runs {@code job} and waits for its commit; false when fenced out. */
  boolean write(Job job) throws InterruptedException {
    try {
      return submit(job).get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new SagaStoreException("saga store " + url + ": write failed: " + c, c);
    }
  }

  /** One writer thread's connection and its loop. */
  private final class Lane {
    private @Nullable Connection connection;
    private @Nullable Statements statements;

    private void loop() {
      List<Pending> batch = new ArrayList<>();
      while (true) {
        try {
          idleLanes.incrementAndGet();
          Pending first;
          try {
            first = queue.take();
          } finally {
            idleLanes.decrementAndGet();
          }
          if (first.stop()) {
            queue.add(STOP); // for the other lanes
            break;
          }
          batch.add(first);
          if (!fanOut || idleLanes.get() == 0) {
            queue.drainTo(batch, MAX_BATCH - 1);
          }
          boolean stop = batch.removeIf(Pending::stop);
          if (stop) {
            queue.add(STOP);
          }
          runBatch(batch);
          batch.clear();
          if (stop) {
            break;
          }
        } catch (InterruptedException e) {
          break;
        }
      }
      for (Pending p : batch) {
        p.done.completeExceptionally(new SagaStoreException("saga store writer stopped", null));
      }
      dropConnection();
      if (liveLanes.decrementAndGet() == 0) {
        Pending p;
        while ((p = queue.poll()) != null) {
          p.done.completeExceptionally(new SagaStoreException("saga store writer stopped", null));
        }
      }
    }

    private void runBatch(List<Pending> batch) throws InterruptedException {
      long taken = System.nanoTime();
      for (Pending p : batch) {
        queuedNanos.add(taken - p.queuedAt());
      }
      writeLock.lock();
      try {
        runBatchLocked(batch);
      } finally {
        writeLock.unlock();
        batchNanos.add(System.nanoTime() - taken);
      }
    }

    private void runBatchLocked(List<Pending> batch) throws InterruptedException {
      long backoffMillis = 20;
      int conflicts = 0;
      while (true) {
        try {
          boolean[] results = new boolean[batch.size()];
          Statements s = statements();
          Connection c = s.connection();
          boolean alone =
              batch.size() == 1
                  && prologue == null
                  && !autoCommitBetweenBatches
                  && batch.get(0).job instanceof OneStatement;
          if (c.getAutoCommit() != alone) {
            c.setAutoCommit(alone); // no transaction is open here: no round trip
          }
          s.batchScratch().clear();
          try {
            if (prologue != null) {
              prologue.apply(s);
            }
            for (int i = 0; i < batch.size(); i++) {
              results[i] = batch.get(i).job.apply(s);
            }
            if (!alone) {
              c.commit();
            }
            if (autoCommitBetweenBatches) {
              c.setAutoCommit(true);
            }
          } catch (SQLException e) {
            rollbackQuietly(c);
            if (!c.isValid(2)) {
              throw e;
            }
            if (StepRunner.isTransactionConflict(e) && conflicts++ < 5) {
              // a deadlock or serialization failure rolled the whole batch back: try it again
              TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(1, 20));
              continue;
            }
            if (batch.size() == 1) {
              batch
                  .get(0)
                  .done
                  .completeExceptionally(
                      new SagaStoreException("saga store " + url + ": " + e.getMessage(), e));
              return;
            }
            // one job is bad: run each alone so the others still commit
            for (Pending p : batch) {
              runBatchLocked(new ArrayList<>(List.of(p)));
            }
            return;
          } catch (RuntimeException e) {
            rollbackQuietly(c);
            for (Pending p : batch) {
              if (batch.size() == 1) {
                p.done.completeExceptionally(e);
                return;
              }
              runBatchLocked(new ArrayList<>(List.of(p)));
            }
            return;
          }
          for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done.complete(results[i]);
          }
          batches.increment();
          jobs.add(batch.size());
          if (alone) {
            autoCommitted.increment();
          }
          return;
        } catch (SQLException e) {
          dropConnection();
          if (closed) {
            for (Pending p : batch) {
              p.done.completeExceptionally(
                  new SagaStoreException("saga store " + url + ": " + e.getMessage(), e));
            }
            return;
          }
          TimeUnit.MILLISECONDS.sleep(backoffMillis);
          backoffMillis = Math.min(2_000, backoffMillis * 2);
        }
      }
    }

    private Statements statements() throws SQLException {
      Statements s = statements;
      if (s == null) {
        Connection c = dataSource.getConnection();
        connection = c;
        s = new Statements(c);
        statements = s;
      }
      return s;
    }

    private void rollbackQuietly(Connection c) {
      try {
        if (c.getAutoCommit() && !autoCommitBetweenBatches) {
          return; // a one-statement job in auto-commit: its failed statement wrote nothing
        }
        c.rollback();
        if (autoCommitBetweenBatches) {
          c.setAutoCommit(true);
        }
      } catch (SQLException ignored) {
        // the connection is checked next
      }
    }

    private void dropConnection() {
      Statements s = statements;
      if (s != null) {
        s.close();
      }
      statements = null;
      Connection c = connection;
      connection = null;
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // already broken
        }
      }
    }
  }

  private final java.util.concurrent.atomic.LongAdder batches =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder jobs =
      new java.util.concurrent.atomic.LongAdder();

  /** Jobs' time between their submit and a lane taking them; the lanes' time per batch. */
  private final java.util.concurrent.atomic.LongAdder queuedNanos =
      new java.util.concurrent.atomic.LongAdder();

  private final java.util.concurrent.atomic.LongAdder batchNanos =
      new java.util.concurrent.atomic.LongAdder();

  private final java.util.concurrent.atomic.LongAdder autoCommitted =
      new java.util.concurrent.atomic.LongAdder();

  @Override
  public void close() {
    if (Boolean.getBoolean("saga.debug")) {
      long b = Math.max(1, batches.sum());
      long j = Math.max(1, jobs.sum());
      System.out.printf(
          java.util.Locale.ROOT,
          "WRITER %s lanes %d batches %d (%d of them one statement in auto-commit) jobs %d: %.2f"
              + " jobs per batch, a job queued %.3f ms on average, a batch took %.3f ms (lock,"
              + " statements, commit)%n",
          url,
          threads.size(),
          batches.sum(),
          autoCommitted.sum(),
          jobs.sum(),
          j / (double) b,
          queuedNanos.sum() / 1e6 / j,
          batchNanos.sum() / 1e6 / b);
    }
    closed = true;
    queue.add(STOP);
    try {
      for (Thread t : threads) {
        t.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
