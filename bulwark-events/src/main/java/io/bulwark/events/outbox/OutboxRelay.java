package io.bulwark.events.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bulwark.events.EventLogException;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.RecordMetadata;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Publishes unsent outbox rows in id order and marks them sent.
 *
 * <p>Guarantees: a row is marked sent only after the log acknowledged it (durable), so a crash or
 * restart at any point loses nothing; it may publish a row again (the crash fell between the
 * acknowledgement and the mark). Every published record carries {@code bulwark-message-id} (stable
 * per row: {@code outbox:<table>:<id>}) and {@code bulwark-outbox-attempt} (2 or more marks a
 * possible duplicate), so an {@link Inbox} drops duplicates. Rows are sent in id order through one
 * idempotent producer, so records of one key keep their order; if a send fails, only the rows
 * before the first failure are marked and the rest are sent again on the next run.
 *
 * <p>One relay per outbox table at a time (run it on one instance, e.g. under a lease).
 */
public final class OutboxRelay {
  public static final String MESSAGE_ID = "bulwark-message-id";
  public static final String ATTEMPT = "bulwark-outbox-attempt";

  private final Outbox outbox;
  private final Supplier<Connection> connections;
  private final Producer producer;

  /**
   * @param connections opens a connection for each run (closed by the relay)
   * @param producer an idempotent producer (the default {@code ProducerConfig})
   */
  public OutboxRelay(Outbox outbox, Supplier<Connection> connections, Producer producer) {
    this.outbox = outbox;
    this.connections = connections;
    this.producer = producer;
  }

  private record Row(long id, OutgoingRecord record) {}

  /**
   * Publishes up to {@code max} unsent rows and marks the acknowledged ones sent.
   *
   * @return the number of rows marked sent
   */
  public int relayOnce(int max) throws SQLException {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
    try (Connection c = connections.get()) {
      List<Row> rows = unsent(c, max);
      if (rows.isEmpty()) {
        return 0;
      }
      List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(rows.size());
      for (Row row : rows) {
        acks.add(producer.send(row.record()));
      }
      int acked = 0;
      EventLogException failure = null;
      for (CompletableFuture<RecordMetadata> ack : acks) {
        try {
          ack.join();
          acked++;
        } catch (CompletionException e) {
          failure =
              new EventLogException("outbox row " + rows.get(acked).id() + " not published", e);
          break;
        }
      }
      markSent(c, rows.subList(0, acked));
      if (failure != null) {
        throw failure;
      }
      return acked;
    }
  }

  private List<Row> unsent(Connection c, int max) throws SQLException {
    List<Row> rows = new ArrayList<>();
    String table = outbox.table();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, topic, msg_key, headers, payload, attempts FROM "
                + table
                + " WHERE sent_at IS NULL ORDER BY id LIMIT ?")) {
      ps.setInt(1, max);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          OutgoingRecord.Builder b =
              OutgoingRecord.builder(rs.getString(2)).key(rs.getBytes(3)).value(rs.getBytes(5));
          Map<String, String> headers;
          try {
            headers = Outbox.JSON.readValue(rs.getString(4), Outbox.HEADER_MAP);
          } catch (JsonProcessingException e) {
            throw new SQLException("outbox row " + id + " has bad headers JSON: " + e, e);
          }
          headers.forEach(b::header);
          b.header(MESSAGE_ID, "outbox:" + table + ":" + id);
          b.header(ATTEMPT, Integer.toString(rs.getInt(6) + 1));
          rows.add(new Row(id, b.build()));
        }
      }
    }
    if (!rows.isEmpty()) {
      bumpAttempts(c, rows);
    }
    return rows;
  }

  private void bumpAttempts(Connection c, List<Row> rows) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE " + outbox.table() + " SET attempts = attempts + 1 WHERE id = ?")) {
      for (Row r : rows) {
        ps.setLong(1, r.id());
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private void markSent(Connection c, List<Row> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE " + outbox.table() + " SET sent_at = ? WHERE id = ?")) {
      long now = outbox.clock().wallMillis();
      for (Row r : rows) {
        ps.setLong(1, now);
        ps.setLong(2, r.id());
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
    } finally {
      c.setAutoCommit(auto);
    }
  }
}
