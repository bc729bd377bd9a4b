package io.bulwark.bench.saga;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The database's own limit for the saga's work: per saga, four durable single-row commits (the
 * start's row, then one row per step holding its small result), each its own transaction, nothing
 * else. SQLite: one connection in WAL mode with {@code synchronous=FULL} (the saga store's
 * settings); SQLite has one writer at a time, so the starters take turns on it (a lock around each
 * commit) rather than spinning on {@code SQLITE_BUSY}. PostgreSQL: one connection per starter,
 * autocommit, the server's default {@code synchronous_commit=on}; concurrent commits share WAL
 * flushes as the server does for any client.
 */
final class LimitDriver implements SagaDriver {
  private static final String[] STEPS = {"reserved-", "charged-", "shipped-"};

  private final String name;
  private final BlockingQueue<Connection> connections;
  private final List<Connection> all;
  private final ReentrantLock writer; // SQLite's single writer; null for PostgreSQL

  private LimitDriver(String name, List<Connection> all, ReentrantLock writer) throws SQLException {
    this.name = name;
    this.all = all;
    this.connections = new ArrayBlockingQueue<>(all.size(), false, all);
    this.writer = writer;
    try (Statement s = all.get(0).createStatement()) {
      s.execute(
          "CREATE TABLE saga_run (run_id VARCHAR(200) PRIMARY KEY, started_at BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE saga_step (run_id VARCHAR(200) NOT NULL, step_index INT NOT NULL,"
              + " result VARCHAR(200) NOT NULL, PRIMARY KEY (run_id, step_index))");
    }
  }

  /** The loop on a SQLite file (created), WAL and {@code synchronous=FULL}. */
  static LimitDriver sqlite(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(10_000);
    Connection c =
        DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
    c.setAutoCommit(true);
    return new LimitDriver("db-limit", List.of(c), new ReentrantLock());
  }

  /** The loop on a PostgreSQL database, {@code connections} connections. */
  static LimitDriver postgres(String jdbcUrl, int connections) throws SQLException {
    List<Connection> all = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Connection c = DriverManager.getConnection(jdbcUrl);
      c.setAutoCommit(true);
      all.add(c);
    }
    return new LimitDriver("db-limit", all, null);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String runOne(String runId, long n, StepTimes steps) throws Exception {
    // SQLite: every starter shares the one connection, taking the writer lock per commit (so
    // commits of different sagas interleave as they would on one database file); PostgreSQL: a
    // connection of the pool for the whole saga.
    Connection c = writer != null ? all.get(0) : connections.take();
    try {
      long t = System.nanoTime();
      commit(c, "INSERT INTO saga_run (run_id, started_at) VALUES (?, ?)", runId, null, n);
      steps.record(StepTimes.START, t);
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < STEPS.length; i++) {
        String result = STEPS[i] + n;
        t = System.nanoTime();
        commit(
            c,
            "INSERT INTO saga_step (run_id, step_index, result) VALUES (?, ?, ?)",
            runId,
            result,
            i);
        steps.record(i + 1, t);
        out.append(i == 0 ? "" : "|").append(result);
      }
      return out.toString();
    } finally {
      if (writer == null) {
        connections.put(c);
      }
    }
  }

  /** One autocommit INSERT: durable when it returns. */
  private void commit(Connection c, String sql, String runId, String result, long number)
      throws SQLException {
    if (writer != null) {
      writer.lock();
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, runId);
      if (result == null) {
        ps.setLong(2, number);
      } else {
        ps.setInt(2, (int) number);
        ps.setString(3, result);
      }
      ps.executeUpdate();
    } finally {
      if (writer != null) {
        writer.unlock();
      }
    }
  }

  @Override
  public Stored countStored() throws SQLException {
    Connection c = all.get(0);
    return new Stored(
        count(c, "SELECT count(*) FROM saga_run"),
        count(c, "SELECT count(*) FROM saga_step"),
        "SQL count of saga_run and saga_step rows");
  }

  static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    for (Connection c : all) {
      c.close();
    }
  }
}
