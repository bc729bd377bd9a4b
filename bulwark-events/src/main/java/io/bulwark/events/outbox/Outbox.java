package io.bulwark.events.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.time.Clock;
import io.bulwark.events.OutgoingRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The transactional outbox: a service inserts its outgoing event with {@link #add} in the same SQL
 * transaction as its state change, so either both happen or neither does. An {@link OutboxRelay}
 * later publishes the rows in id order and marks them sent.
 *
 * <p>Table (default {@code bulwark_outbox}): {@code id} (ascending insertion id), {@code topic},
 * {@code msg_key}, {@code headers} (JSON object), {@code payload}, {@code created_at}, {@code
 * sent_at} (null until acknowledged), {@code attempts}. Only the DDL depends on the {@link
 * SqlDialect}. Thread-safe; holds no connection.
 */
public final class Outbox {
  static final ObjectMapper JSON = new ObjectMapper();
  static final TypeReference<Map<String, String>> HEADER_MAP = new TypeReference<>() {};

  private final String table;
  private final Clock clock;

  private Outbox(String table, Clock clock) {
    this.table = SqlDialect.checkIdentifier(table, "outbox table name");
    this.clock = clock;
  }

  public static Outbox create() {
    return create("bulwark_outbox", Clock.system());
  }

  public static Outbox create(String table, Clock clock) {
    return new Outbox(table, clock);
  }

  String table() {
    return table;
  }

  Clock clock() {
    return clock;
  }

  /** Creates the table if it does not exist (commits nothing itself). */
  public void createTable(Connection connection) throws SQLException {
    SqlDialect d = SqlDialect.of(connection);
    try (Statement s = connection.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (id "
              + d.identity
              + ", topic VARCHAR(249) NOT"
              + " NULL, msg_key "
              + d.bytes
              + ", headers TEXT NOT NULL, payload "
              + d.bytes
              + ", created_at BIGINT NOT NULL, sent_at BIGINT, attempts INTEGER NOT NULL DEFAULT 0)");
      s.execute("CREATE INDEX IF NOT EXISTS " + table + "_unsent ON " + table + " (sent_at, id)");
    }
  }

  /**
   * Inserts {@code record} in the caller's current transaction on {@code tx}; the caller commits.
   * Explicit partitions and timestamps are not kept (the key decides the partition).
   */
  public void add(Connection tx, OutgoingRecord record) throws SQLException {
    String headers;
    try {
      headers = JSON.writeValueAsString(record.headers().asMap());
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot encode headers of outbox record: " + e, e);
    }
    try (PreparedStatement ps =
        tx.prepareStatement(
            "INSERT INTO "
                + table
                + " (topic, msg_key, headers, payload, created_at, attempts) VALUES (?, ?, ?, ?, ?,"
                + " 0)")) {
      ps.setString(1, record.topic());
      ps.setBytes(2, record.key());
      ps.setString(3, headers);
      ps.setBytes(4, record.value());
      ps.setLong(5, clock.wallMillis());
      ps.executeUpdate();
    }
  }
}
