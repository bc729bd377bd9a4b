package io.bulwark.examples.shop.orders;

import io.bulwark.examples.shop.common.SqlitePool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The connections the outbox relay opens to {@code orders.db}, one per relay run, tracked so that
 * closing this (at a stop or a kill) closes any the relay still holds: a relay of a dead instance
 * that was waiting for an ack then fails to mark its rows sent, and the rows are relayed again by
 * the next incarnation (the consumers' inbox drops the duplicates). Thread-safe.
 */
final class RelayConnections implements AutoCloseable {
  private final Path file;
  private final Queue<Connection> open = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  RelayConnections(Path file) {
    this.file = file;
  }

  /** A new read-write connection, tracked until closed. */
  Connection open() {
    if (closed) {
      throw new IllegalStateException("orders.db " + file + ": the instance is closed");
    }
    open.removeIf(RelayConnections::isClosed);
    try {
      Connection c = SqlitePool.connect(file, false);
      open.add(c);
      if (closed) {
        close();
      }
      return c;
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static boolean isClosed(Connection c) {
    try {
      return c.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = open.poll()) != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // best effort: the file stays consistent (WAL)
      }
    }
  }
}
