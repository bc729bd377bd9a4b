package io.bulwark.examples.shop.orders;

import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Serdes;
import io.bulwark.events.outbox.Outbox;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.common.SqlitePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Orders, idempotency keys and the outbox in SQLite ({@code orders.db}).
 *
 * <p>An order is written at every step of its checkout: PENDING (with its idempotency key, in one
 * transaction, so a key names at most one order), RESERVED, then CONFIRMED together with its {@code
 * OrderConfirmed} outbox row (one transaction: the event exists if and only if the order is
 * confirmed), or CANCELLED. A compensation that could not be done yet (a release of the
 * reservation, a refund of the charge) is recorded as flags on the order; {@code
 * compensation_pending} is set while either is.
 */
final class OrderStore {
  static final String PENDING = "PENDING";
  static final String RESERVED = "RESERVED";
  static final String CONFIRMED = "CONFIRMED";
  static final String CANCELLED = "CANCELLED";

  /** A line of an order. */
  record Item(String sku, int quantity, long price) {}

  /** The event the outbox relays when an order is confirmed. */
  record OrderConfirmed(String orderId, List<Item> items) {}

  /** An order row. */
  record Order(
      String orderId,
      String idempotencyKey,
      String cartId,
      String customer,
      String status,
      long total,
      @Nullable String reason,
      boolean needsRelease,
      boolean needsRefund) {
    boolean isFinal() {
      return status.equals(CONFIRMED) || status.equals(CANCELLED);
    }
  }

  private final SqlitePool db;
  private final Outbox outbox = Outbox.create();

  OrderStore(SqlitePool db) {
    this.db = db;
  }

  SqlitePool db() {
    return db;
  }

  Outbox outbox() {
    return outbox;
  }

  void init() throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, idempotency_key TEXT NOT"
                    + " NULL UNIQUE, cart_id TEXT NOT NULL, customer TEXT NOT NULL, items TEXT NOT"
                    + " NULL, total INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT,"
                    + " needs_release INTEGER NOT NULL DEFAULT 0, needs_refund INTEGER NOT NULL"
                    + " DEFAULT 0, compensation_pending INTEGER NOT NULL DEFAULT 0, created_at"
                    + " INTEGER NOT NULL, updated_at INTEGER NOT NULL)");
            s.execute(
                "CREATE TABLE IF NOT EXISTS idempotency_keys (idempotency_key TEXT PRIMARY KEY,"
                    + " order_id TEXT NOT NULL, created_at INTEGER NOT NULL)");
          }
          outbox.createTable(c);
        });
  }

  /** The order of {@code key}, if one was accepted under it. */
  Optional<Order> byKey(String key) throws SQLException {
    return db.read(
        c -> {
          String id = null;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT order_id FROM idempotency_keys WHERE idempotency_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                id = rs.getString(1);
              }
            }
          }
          return id == null ? Optional.<Order>empty() : Optional.ofNullable(find(c, id));
        });
  }

  Optional<Order> byId(String id) throws SQLException {
    return db.read(c -> Optional.ofNullable(find(c, id)));
  }

  /**
   * Inserts a PENDING order under {@code key}, or answers the order already under it (whoever
   * inserted it).
   */
  Order create(String key, String id, String cartId, String customer, List<Item> items, long total)
      throws SQLException {
    return db.tx(
        c -> {
          Order existing = findByKey(c, key);
          if (existing != null) {
            return existing;
          }
          long now = System.currentTimeMillis();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO orders (id, idempotency_key, cart_id, customer, items, total,"
                      + " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, key);
            ps.setString(3, cartId);
            ps.setString(4, customer);
            ps.setString(5, Json.write(items));
            ps.setLong(6, total);
            ps.setString(7, PENDING);
            ps.setLong(8, now);
            ps.setLong(9, now);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO idempotency_keys (idempotency_key, order_id, created_at) VALUES (?,"
                      + " ?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, id);
            ps.setLong(3, now);
            ps.executeUpdate();
          }
          return new Order(id, key, cartId, customer, PENDING, total, null, false, false);
        });
  }

  /** PENDING → RESERVED. */
  void reserved(String id) throws SQLException {
    db.tx(c -> update(c, id, RESERVED, null, false, false, PENDING));
  }

  /** → CONFIRMED with its outbox event, in one transaction; false if no longer RESERVED. */
  boolean confirm(String id, List<Item> items) throws SQLException {
    return db.tx(
        c -> {
          if (!update(c, id, CONFIRMED, null, false, false, RESERVED)) {
            return false;
          }
          outbox.add(
              c,
              OutgoingRecord.of(
                  SharedEventLog.ORDERS_TOPIC,
                  id,
                  new OrderConfirmed(id, items),
                  Serdes.json(Json.MAPPER, OrderConfirmed.class)));
          return true;
        });
  }

  /**
   * → CANCELLED with {@code reason}, recording the compensations still to do; false if the order
   * had already reached a final state.
   */
  boolean cancel(String id, String reason, boolean needsRelease, boolean needsRefund)
      throws SQLException {
    return db.tx(
        c -> update(c, id, CANCELLED, reason, needsRelease, needsRefund, PENDING, RESERVED));
  }

  /** Records that the compensations of a CANCELLED order now stand at these flags. */
  void compensated(String id, boolean needsRelease, boolean needsRefund) throws SQLException {
    db.txRun(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE orders SET needs_release = ?, needs_refund = ?, compensation_pending ="
                      + " ?, updated_at = ? WHERE id = ?")) {
            ps.setInt(1, needsRelease ? 1 : 0);
            ps.setInt(2, needsRefund ? 1 : 0);
            ps.setInt(3, needsRelease || needsRefund ? 1 : 0);
            ps.setLong(4, System.currentTimeMillis());
            ps.setString(5, id);
            ps.executeUpdate();
          }
        });
  }

  /**
   * Orders with compensations pending, and orders still not final updated before {@code before}.
   */
  List<Order> needingWork(long before, int max) throws SQLException {
    return db.read(
        c -> {
          List<Order> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM orders WHERE compensation_pending = 1 OR (status IN ('PENDING',"
                      + " 'RESERVED') AND updated_at < ?) ORDER BY updated_at LIMIT ?")) {
            ps.setLong(1, before);
            ps.setInt(2, max);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(row(rs));
              }
            }
          }
          return out;
        });
  }

  private static final String COLUMNS =
      "id, idempotency_key, cart_id, customer, status, total, reason, needs_release, needs_refund";

  private static Order row(ResultSet rs) throws SQLException {
    return new Order(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getLong(6),
        rs.getString(7),
        rs.getInt(8) == 1,
        rs.getInt(9) == 1);
  }

  private static @Nullable Order find(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM orders WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    }
  }

  private static @Nullable Order findByKey(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM orders WHERE idempotency_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? row(rs) : null;
      }
    }
  }

  private static boolean update(
      Connection c,
      String id,
      String status,
      @Nullable String reason,
      boolean needsRelease,
      boolean needsRefund,
      String... from)
      throws SQLException {
    String in = String.join(", ", Arrays.stream(from).map(s -> "'" + s + "'").toList());
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE orders SET status = ?, reason = ?, needs_release = ?, needs_refund = ?,"
                + " compensation_pending = ?, updated_at = ? WHERE id = ? AND status IN ("
                + in
                + ")")) {
      ps.setString(1, status);
      ps.setString(2, reason);
      ps.setInt(3, needsRelease ? 1 : 0);
      ps.setInt(4, needsRefund ? 1 : 0);
      ps.setInt(5, needsRelease || needsRefund ? 1 : 0);
      ps.setLong(6, System.currentTimeMillis());
      ps.setString(7, id);
      return ps.executeUpdate() == 1;
    }
  }
}
