package io.bulwark.events.outbox;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

/** The outbox and inbox on SQLite in WAL mode with synchronous=FULL, the embedded default. */
class SqliteOutboxInboxTest extends OutboxInboxCompatibilityKit {

  @Override
  protected Supplier<Connection> db() {
    String url = "jdbc:sqlite:" + dir.resolve("app.db");
    return () -> {
      try {
        Connection c = DriverManager.getConnection(url);
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA synchronous=FULL");
        }
        return c;
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    };
  }
}
