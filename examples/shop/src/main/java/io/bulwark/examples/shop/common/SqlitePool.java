package io.bulwark.examples.shop.common;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * A few SQLite connections to one database file, shared by the handlers of one instance.
 *
 * <p>Every connection uses WAL, {@code synchronous=FULL} (a committed transaction survives a power
 * loss) and a busy timeout, so connections of two instances sharing the file wait for each other's
 * write lock instead of failing. Writes run in {@code BEGIN IMMEDIATE} transactions ({@link #tx}):
 * the write lock is taken at the start, so two transactions never deadlock upgrading a read lock.
 * Thread-safe; a connection is used by one thread at a time.
 */
public final class SqlitePool implements AutoCloseable {
  /** Work done with one connection. */
  @FunctionalInterface
  public interface Work<T extends @Nullable Object> {
    T run(Connection connection) throws SQLException;
  }

  /** Work with one connection that answers nothing. */
  @FunctionalInterface
  public interface Step {
    void run(Connection connection) throws SQLException;
  }

  private static final int BUSY_TIMEOUT_MS = 15_000;

  private final Path file;
  private final BlockingQueue<Connection> idle;
  private final List<Connection> all;
  private volatile boolean closed;

  private SqlitePool(Path file, List<Connection> connections) {
    this.file = file;
    this.all = List.copyOf(connections);
    this.idle = new ArrayBlockingQueue<>(connections.size(), false, connections);
  }

  /** Opens {@code size} read-write connections to {@code file} (created if absent). */
  public static SqlitePool open(Path file, int size) throws SQLException {
    if (size < 1) {
      throw new IllegalArgumentException("pool size must be at least 1, was " + size);
    }
    List<Connection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        connections.add(connect(file, false));
      }
    } catch (SQLException e) {
      closeAll(connections);
      throw e;
    }
    return new SqlitePool(file, connections);
  }

  /** One connection to {@code file}; read-only ones never write, not even the WAL header. */
  public static Connection connect(Path file, boolean readOnly) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setReadOnly(readOnly);
    if (!readOnly) {
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    }
    try {
      return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    } catch (SQLException e) {
      throw new SQLException("cannot open SQLite database " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction: committed, or rolled back. */
  public <T extends @Nullable Object> T tx(Work<T> work) throws SQLException {
    Connection c = take();
    try {
      exec(c, "BEGIN IMMEDIATE");
      T result;
      try {
        result = work.run(c);
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c, e);
        throw e;
      }
      exec(c, "COMMIT");
      return result;
    } finally {
      idle.offer(c);
    }
  }

  /** Runs {@code step} in one {@code BEGIN IMMEDIATE} transaction: committed, or rolled back. */
  public void txRun(Step step) throws SQLException {
    tx(
        c -> {
          step.run(c);
          return Boolean.TRUE;
        });
  }

  /** Runs {@code work} on a connection in auto-commit mode (reads, single statements). */
  public <T extends @Nullable Object> T read(Work<T> work) throws SQLException {
    Connection c = take();
    try {
      return work.run(c);
    } finally {
      idle.offer(c);
    }
  }

  private Connection take() throws SQLException {
    if (closed) {
      throw new SQLException("database " + file + " is closed");
    }
    Connection c = idle.poll();
    if (c != null) {
      return c;
    }
    try {
      return idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted waiting for a connection to " + file, e);
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      if (!c.isClosed()) {
        exec(c, "ROLLBACK");
      }
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    closeAll(all);
  }

  private static void closeAll(List<Connection> connections) {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing is best effort: the file stays consistent (WAL)
      }
    }
  }
}
