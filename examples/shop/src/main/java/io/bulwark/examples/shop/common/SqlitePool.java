package io.bulwark.examples.shop.common;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
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

  /**
   * How long a statement waits for another connection's write lock: no longer than a caller's
   * per-call timeout (1 s), so work its caller gave up on does not commit long after.
   */
  private static final int BUSY_TIMEOUT_MS = 1_000;

  private final Path file;
  private final BlockingQueue<Connection> idle;
  private final Queue<Connection> all;
  private volatile boolean closed;

  private SqlitePool(Path file, List<Connection> connections) {
    this.file = file;
    this.all = new ConcurrentLinkedQueue<>(connections);
    this.idle = new ArrayBlockingQueue<>(connections.size(), false, connections);
  }

  /** Opens {@code size} read-write connections to {@code file} (created if absent). */
  public static SqlitePool open(Path file, int size) throws SQLException {
    return open(file, size, true);
  }

  /**
   * Like {@link #open(Path, int)}; {@code durable} false: {@code synchronous=NORMAL} (a commit
   * survives the process crashing, not the machine) instead of {@code FULL}.
   */
  public static SqlitePool open(Path file, int size, boolean durable) throws SQLException {
    if (size < 1) {
      throw new IllegalArgumentException("pool size must be at least 1, was " + size);
    }
    List<Connection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        Connection c = connect(file, false);
        connections.add(c);
        if (!durable) {
          exec(c, "PRAGMA synchronous=NORMAL");
        }
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

  /**
   * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction: committed, or rolled back. A
   * failed {@code COMMIT} is rolled back too; a connection whose rollback fails is closed and
   * replaced, so no connection goes back to the pool with a transaction (and the write lock) open.
   */
  public <T extends @Nullable Object> T tx(Work<T> work) throws SQLException {
    Connection c = take();
    boolean clean = true;
    try {
      exec(c, "BEGIN IMMEDIATE");
      try {
        T result = work.run(c);
        exec(c, "COMMIT");
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        clean = rollbackQuietly(c, e);
        throw e;
      }
    } finally {
      giveBack(c, clean);
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

  /** Rolls back; false when that failed, so the connection may still hold a transaction. */
  private static boolean rollbackQuietly(Connection c, Throwable cause) {
    try {
      if (!c.isClosed()) {
        exec(c, "ROLLBACK");
      }
      return true;
    } catch (SQLException e) {
      cause.addSuppressed(e);
      return false;
    }
  }

  /**
   * Returns a connection to the pool; one that may hold a transaction is closed and replaced (when
   * no replacement can be opened, the closed one goes back: its next use fails and tries again).
   */
  private void giveBack(Connection c, boolean clean) {
    Connection back = c;
    if (!clean || isClosed(c)) {
      closeQuietly(c);
      if (!closed) {
        try {
          back = connect(file, false);
          all.add(back);
        } catch (SQLException e) {
          back = c;
        }
      }
    }
    idle.offer(back);
    if (closed) {
      closeQuietly(back);
    }
  }

  private static boolean isClosed(Connection c) {
    try {
      return c.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // closing is best effort: the file stays consistent (WAL)
    }
  }

  @Override
  public void close() {
    closed = true;
    closeAll(all);
  }

  private static void closeAll(Collection<Connection> connections) {
    for (Connection c : connections) {
      closeQuietly(c);
    }
  }
}
