package io.bulwark.events.outbox;

import io.bulwark.test.postgres.PostgresTestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.Supplier;

/** The outbox and inbox on a real PostgreSQL server (one database per test). */
class PostgresOutboxInboxTest extends OutboxInboxCompatibilityKit {

  @Override
  protected Supplier<Connection> db() throws SQLException {
    String url = PostgresTestServer.shared().createDatabase();
    return () -> {
      try {
        return DriverManager.getConnection(url);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    };
  }
}
