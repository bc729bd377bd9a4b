package io.bulwark.events.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The few places where SQL differs between databases: table DDL only. Every query and update of the
 * outbox and inbox is portable SQL.
 */
public enum SqlDialect {
  SQLITE("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
  POSTGRESQL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BYTEA");

  final String identity;
  final String bytes;

  SqlDialect(String identity, String bytes) {
    this.identity = identity;
    this.bytes = bytes;
  }

  /** The dialect of {@code connection}'s database. */
  public static SqlDialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("sqlite")) {
      return SQLITE;
    }
    if (product.contains("postgres")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "unsupported database '" + product + "' (supported: SQLite, PostgreSQL)");
  }

  static String checkIdentifier(String name, String what) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          what
              + " must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63), was '"
              + name
              + "'");
    }
    return name;
  }
}
