package io.bulwark.examples.shop.orders;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The connections the outbox relay opens to the orders database, one per relay run, tracked so that
 * closing this (at a stop or a kill) closes any the relay still holds: a relay of a dead instance
 * that was waiting for an ack then fails to mark its rows sent, and the rows are relayed again by
 * the next incarnation (the consumers' inbox drops the duplicates). Thread-safe.
 */
final class RelayConnections implements AutoCloseable {
  /** Opens one read-write connection. */
  @FunctionalInterface
  interface Opener {
    Connection open() throws SQLException;
  }

  private final String database;
  private final Opener opener;
  private final Queue<Connection> open = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  /**
   * @param database names the database in errors (a file or a JDBC URL)
   * @param opener opens a connection (a new one, or one from a pool that closing gives back)
   */
  RelayConnections(String database, Opener opener) {
    this.database = database;
    this.opener = opener;
  }

  /** A new read-write connection, tracked until closed. */
  Connection open() {
    if (closed) {
      throw new IllegalStateException("orders database " + database + ": the instance is closed");
    }
    open.removeIf(RelayConnections::isClosed);
    try {
      Connection c = opener.open();
      open.add(c);
      if (closed) {
        close();
      }
      return c;
    } catch (SQLException e) {
      throw new IllegalStateException("orders database " + database + ": " + e.getMessage(), e);
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
        // best effort: the database stays consistent (a transaction not committed is rolled back)
      }
    }
  }
}
