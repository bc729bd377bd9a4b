package io.bulwark.saga.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bulwark.events.outbox.Outbox;
import io.bulwark.saga.SagaStore;
import io.bulwark.saga.SagaStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The SQL saga store (SQLite or PostgreSQL): a pooled {@link DataSource} and the schema. Tables:
 * {@code saga_runs} (one row per run: status, lease owner and fence, wake-up time, context, state),
 * {@code saga_steps} (one row per (run, index): name, result, attempts, next attempt), {@code
 * saga_signals}, {@code saga_executors}, {@code saga_events} (the timeline) and the events outbox
 * table {@code bulwark_outbox}. The schema is created on first use; only identity columns differ
 * between the dialects.
 */
public final class JdbcSagaStore implements SagaStore {
  private final String url;
  private final Dialect dialect;
  private final HikariDataSource dataSource;

  private JdbcSagaStore(String url, Dialect dialect, HikariDataSource dataSource) {
    this.url = url;
    this.dialect = dialect;
    this.dataSource = dataSource;
  }

  /** A SQLite store in {@code file}. */
  public static JdbcSagaStore sqlite(Path file) {
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new SagaStoreException("saga store " + url + ": cannot create its directory: " + e, e);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(60_000);
    // a write transaction takes the write lock at BEGIN, so two writers never deadlock on upgrade
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl(url);
    return open(url, Dialect.SQLITE, ds, 8);
  }

  /** A PostgreSQL store. */
  public static JdbcSagaStore postgres(
      String jdbcUrl, String user, String password, int maxConnections) {
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "saga store URL must start with jdbc:postgresql:, got '" + jdbcUrl + "'");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "saga store " + jdbcUrl + ": maxConnections must be 1 or more, got " + maxConnections);
    }
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(jdbcUrl);
    ds.setUser(user);
    ds.setPassword(password);
    ds.setConnectTimeout(5);
    return open(jdbcUrl, Dialect.POSTGRES, ds, Math.max(2, maxConnections));
  }

  private static JdbcSagaStore open(String url, Dialect dialect, DataSource raw, int size) {
    // fail fast: one plain connection before the pool exists, so the error names the URL at once
    try (Connection c = raw.getConnection()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new SagaStoreException(
          "saga store " + url + " cannot be reached: " + e.getMessage(), e);
    }
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(raw);
    hc.setMaximumPoolSize(size);
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(30_000);
    hc.setInitializationFailTimeout(-1);
    hc.setPoolName("bulwark-saga");
    HikariDataSource pool = new HikariDataSource(hc);
    JdbcSagaStore store = new JdbcSagaStore(url, dialect, pool);
    try {
      store.createSchema();
    } catch (SQLException e) {
      pool.close();
      throw new SagaStoreException(
          "saga store " + url + ": cannot create its tables: " + e.getMessage(), e);
    }
    return store;
  }

  private boolean schemaPresent(Connection c) throws SQLException {
    String sql =
        dialect == Dialect.SQLITE
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                + " ('saga_runs','saga_steps','saga_signals','saga_executors','saga_events',"
                + "'bulwark_outbox')"
            : "SELECT (to_regclass('saga_runs') IS NOT NULL)::int + (to_regclass('saga_steps') IS"
                + " NOT NULL)::int + (to_regclass('saga_signals') IS NOT NULL)::int +"
                + " (to_regclass('saga_executors') IS NOT NULL)::int + (to_regclass('saga_events')"
                + " IS NOT NULL)::int + (to_regclass('bulwark_outbox') IS NOT NULL)::int";
    try (Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery(sql)) {
      return rs.next() && rs.getInt(1) == 6;
    }
  }

  private void createSchema() throws SQLException {
    // the DDL (CREATE INDEX IF NOT EXISTS takes a table lock even when the index exists) runs only
    // when a table is missing, so a store opening beside running executors does not wait on them
    try (Connection c = dataSource.getConnection()) {
      if (schemaPresent(c)) {
        return;
      }
    }
    String id = dialect == Dialect.SQLITE ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY";
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        if (dialect == Dialect.POSTGRES) {
          // two executors creating the schema at once: one waits for the other
          s.execute("SELECT pg_advisory_xact_lock(4711014)");
        }
        s.execute(
            "CREATE TABLE IF NOT EXISTS saga_runs (run_id VARCHAR(600) PRIMARY KEY, workflow"
                + " VARCHAR(128) NOT NULL, version INTEGER NOT NULL, wf_key VARCHAR(160) NOT NULL,"
                + " status VARCHAR(16) NOT NULL, phase VARCHAR(8) NOT NULL, queue VARCHAR(128) NOT"
                + " NULL, priority INTEGER NOT NULL, ckey VARCHAR(256), parent_run_id"
                + " VARCHAR(600), input_json TEXT NOT NULL, output_json TEXT, cause TEXT, owner"
                + " VARCHAR(128), lease_until BIGINT, fence BIGINT NOT NULL DEFAULT 0, wake_at"
                + " BIGINT, deadline_at BIGINT, context_json TEXT, state_json TEXT,"
                + " cancel_requested INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,"
                + " updated_at BIGINT NOT NULL, started_at BIGINT, signal_seq BIGINT NOT NULL DEFAULT 0)");
        s.execute(
            "CREATE INDEX IF NOT EXISTS saga_runs_status ON saga_runs (status, queue, priority)");
        s.execute("CREATE INDEX IF NOT EXISTS saga_runs_created ON saga_runs (created_at)");
        s.execute(
            "CREATE TABLE IF NOT EXISTS saga_steps (run_id VARCHAR(600) NOT NULL, idx INTEGER NOT"
                + " NULL, name VARCHAR(128) NOT NULL, kind VARCHAR(8) NOT NULL, grp INTEGER NOT"
                + " NULL, status VARCHAR(24) NOT NULL, output_json TEXT, error TEXT, attempts"
                + " INTEGER NOT NULL DEFAULT 0, comp_attempts INTEGER NOT NULL DEFAULT 0,"
                + " next_attempt_at BIGINT, started_at BIGINT, ended_at BIGINT, has_comp INTEGER"
                + " NOT NULL DEFAULT 0, PRIMARY KEY (run_id, idx))");
        s.execute(
            "CREATE TABLE IF NOT EXISTS saga_signals (id "
                + id
                + ", run_id VARCHAR(600) NOT NULL, name VARCHAR(128) NOT NULL, payload_json TEXT,"
                + " consumed INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL)");
        s.execute(
            "CREATE INDEX IF NOT EXISTS saga_signals_run ON saga_signals (run_id, name, consumed)");
        s.execute(
            "CREATE TABLE IF NOT EXISTS saga_executors (executor_id VARCHAR(128) PRIMARY KEY,"
                + " started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL)");
        s.execute(
            "CREATE TABLE IF NOT EXISTS saga_events (id "
                + id
                + ", run_id VARCHAR(600) NOT NULL, at BIGINT NOT NULL, kind VARCHAR(32) NOT NULL,"
                + " detail TEXT NOT NULL)");
        s.execute("CREATE INDEX IF NOT EXISTS saga_events_run ON saga_events (run_id, id)");
      }
      Outbox.create().createTable(c);
      c.commit();
    }
  }

  /**
   * SQLite has one writer at a time, and a connection waiting for its write lock waits in native
   * code (the busy handler), which pins a virtual thread's carrier. So the engine's writers and
   * transactional steps take this Java lock first (parking, not pinning) and SQLite's own lock is
   * then free when they ask for it. Fair, so a step is not starved by the group-commit writer.
   * PostgreSQL needs no such lock (a no-op there).
   */
  private final java.util.concurrent.Semaphore sqliteWrites =
      new java.util.concurrent.Semaphore(1, true);

  /** Takes the store's write lock (SQLite only). */
  public void lockWrites() throws InterruptedException {
    if (dialect == Dialect.SQLITE) {
      sqliteWrites.acquire();
    }
  }

  /** Releases {@link #lockWrites}. */
  public void unlockWrites() {
    if (dialect == Dialect.SQLITE) {
      sqliteWrites.release();
    }
  }

  /** The pool's size. */
  public int maxConnections() {
    return dataSource.getMaximumPoolSize();
  }

  /** The dialect. */
  public Dialect sqlDialect() {
    return dialect;
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public String dialect() {
    return dialect == Dialect.SQLITE ? "sqlite" : "postgresql";
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
  }

  /** The two databases. */
  public enum Dialect {
    SQLITE,
    POSTGRES
  }
}
