package io.bulwark.bench.saga;

import io.bulwark.test.postgres.PostgresTestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What a side cost its PostgreSQL database: committed transactions and rows written (inserted,
 * updated, deleted) from {@code pg_stat_database}. Backends publish their counters when they go
 * idle or exit, so the figures are read once the side's connections are closed and until two reads
 * agree.
 */
final class PgStats {
  private PgStats() {}

  /** {@code [commits, rows written]} of the database behind {@code url}, once settled. */
  static long[] settled(PostgresTestServer server, String url) throws Exception {
    String name = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
    long[] last = read(server, name);
    for (int i = 0; i < 20; i++) {
      Thread.sleep(250); // counters arrive asynchronously from exiting backends; bounded
      long[] now = read(server, name);
      if (now[0] == last[0] && now[1] == last[1]) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private static long[] read(PostgresTestServer server, String name) throws SQLException {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted"
                    + " FROM pg_stat_database WHERE datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no pg_stat_database row for " + name);
        }
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
    }
  }
}
