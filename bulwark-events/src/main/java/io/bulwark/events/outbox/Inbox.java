package io.bulwark.events.outbox;

import io.bulwark.events.EventRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The idempotent consumer: a processed-message table written in the consumer's own SQL transaction.
 * {@link #process} runs the handler and records the message id in the caller's transaction, so the
 * state change and the "processed" mark commit together; a redelivered or duplicated message (same
 * id) is skipped.
 *
 * <p>A message's id is its {@code bulwark-message-id} header (set by {@link OutboxRelay}), else
 * {@code topic/partition/offset}. Table (default {@code bulwark_inbox}): {@code consumer}, {@code
 * message_id} (primary key together), {@code processed_at}. Portable SQL; thread-safe.
 */
public final class Inbox {
  private final String table;
  private final String consumer;

  /** Handles one message inside the caller's transaction. */
  @FunctionalInterface
  public interface Handler {
    void handle(Connection tx, EventRecord record) throws SQLException;
  }

  private Inbox(String table, String consumer) {
    this.table = SqlDialect.checkIdentifier(table, "inbox table name");
    if (consumer.isBlank() || consumer.length() > 200) {
      throw new IllegalArgumentException(
          "inbox consumer name must be 1..200 non-blank characters, was '" + consumer + "'");
    }
    this.consumer = consumer;
  }

  public static Inbox create(String consumer) {
    return new Inbox("bulwark_inbox", consumer);
  }

  public static Inbox create(String table, String consumer) {
    return new Inbox(table, consumer);
  }

  public void createTable(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (consumer VARCHAR(200) NOT NULL, message_id"
              + " VARCHAR(400) NOT NULL, processed_at BIGINT NOT NULL, PRIMARY KEY (consumer,"
              + " message_id))");
    }
  }

  /** The id used for deduplication. */
  public static String messageId(EventRecord record) {
    String id = record.headers().get(OutboxRelay.MESSAGE_ID);
    return id != null ? id : record.topic() + "/" + record.partition() + "/" + record.offset();
  }

  /**
   * In the caller's transaction on {@code tx}: if the message was processed before, does nothing
   * and returns false; otherwise runs {@code handler} and marks the message processed, returning
   * true. The caller commits (or rolls back, undoing both).
   */
  public boolean process(Connection tx, EventRecord record, Handler handler) throws SQLException {
    String id = messageId(record);
    try (PreparedStatement ps =
        tx.prepareStatement("SELECT 1 FROM " + table + " WHERE consumer = ? AND message_id = ?")) {
      ps.setString(1, consumer);
      ps.setString(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return false;
        }
      }
    }
    handler.handle(tx, record);
    try (PreparedStatement ps =
        tx.prepareStatement(
            "INSERT INTO " + table + " (consumer, message_id, processed_at) VALUES (?, ?, ?)")) {
      ps.setString(1, consumer);
      ps.setString(2, id);
      ps.setLong(3, record.timestampMillis());
      ps.executeUpdate();
    }
    return true;
  }
}
