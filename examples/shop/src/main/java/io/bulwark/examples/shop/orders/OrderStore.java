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
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The orders table and the outbox, in the checkout saga store's database ({@code orders.db},
 * SQLite, or the PostgreSQL database of {@code Settings.ORDERS_DATABASE}), so that a transactional
 * step's writes to them commit with the step's checkpoint. The SQL is the same on both.
 *
 * <p>An order row is written by the checkout saga's transactional steps only: PENDING when the run
 * creates it, then CONFIRMED together with its {@code OrderConfirmed} outbox row (one transaction,
 * with the step's checkpoint: the event exists if and only if the order is confirmed), or CANCELLED
 * with the reason before the saga compensates. The idempotency key lives in the run id (see {@link
 * CheckoutSaga#runId}); it is kept on the row for operators.
 */
final class OrderStore {
  static final String PENDING = "PENDING";
  static final String CONFIRMED = "CONFIRMED";
  static final String CANCELLED = "CANCELLED";

  /** A line of an order. */
  record Item(String sku, int quantity, long price) {}

  /** The event the outbox relays when an order is confirmed. */
  record OrderConfirmed(String orderId, List<Item> items) {}

  /** An order row. */
  record Order(
      String orderId,
      @Nullable String runId,
      String idempotencyKey,
      String cartId,
      String customer,
      String status,
      long total,
      @Nullable String reason) {
    boolean isFinal() {
      return status.equals(CONFIRMED) || status.equals(CANCELLED);
    }
  }

  /** Where the store reads: one connection in auto-commit mode per {@link #read}, given back. */
  interface Reads {
    <T extends @Nullable Object> T read(SqlitePool.Work<T> work) throws SQLException;
  }

  private final Reads db;
  private final Outbox outbox = Outbox.create();

  OrderStore(Reads db) {
    this.db = db;
  }

  /** Reads through {@code dataSource} (a pool: the connection goes back to it after each read). */
  static Reads reads(DataSource dataSource) {
    return new Reads() {
      @Override
      public <T extends @Nullable Object> T read(SqlitePool.Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
          return work.run(c);
        }
      }
    };
  }

  Outbox outbox() {
    return outbox;
  }

  /**
   * Creates the orders table and the outbox table in {@code c} (idempotent). Amounts and times are
   * BIGINT: 64 bits on PostgreSQL, and the same INTEGER affinity on SQLite.
   */
  void init(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, run_id TEXT, idempotency_key"
              + " TEXT NOT NULL, cart_id TEXT NOT NULL, customer TEXT NOT NULL, items TEXT NOT"
              + " NULL, total BIGINT NOT NULL, status TEXT NOT NULL, reason TEXT, created_at"
              + " BIGINT NOT NULL, updated_at BIGINT NOT NULL)");
    }
    outbox.createTable(c);
  }

  Optional<Order> byId(String id) throws SQLException {
    return db.read(c -> Optional.ofNullable(find(c, id)));
  }

  /**
   * Inserts the PENDING order of a checkout in the step's transaction {@code c}. The row commits
   * with the step's checkpoint, so a retried attempt never finds it; a row already there is left as
   * it is all the same.
   */
  static void create(Connection c, String runId, CheckoutSaga.Input in, long now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO orders (id, run_id, idempotency_key, cart_id, customer, items, total,"
                + " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON"
                + " CONFLICT (id) DO NOTHING")) {
      ps.setString(1, in.orderId());
      ps.setString(2, runId);
      ps.setString(3, in.key());
      ps.setString(4, in.cartId());
      ps.setString(5, in.customer());
      ps.setString(6, Json.write(in.items()));
      ps.setLong(7, in.total());
      ps.setString(8, PENDING);
      ps.setLong(9, now);
      ps.setLong(10, now);
      ps.executeUpdate();
    }
  }

  /**
   * PENDING → CONFIRMED and its outbox event, in the step's transaction {@code c}.
   *
   * @throws IllegalStateException naming the order and its status when it is not PENDING
   */
  static void confirm(Connection c, String id, List<Item> items, long now, OutboxSink sink)
      throws SQLException {
    move(c, id, CONFIRMED, null, now);
    sink.add(
        OutgoingRecord.of(
            SharedEventLog.ORDERS_TOPIC,
            id,
            new OrderConfirmed(id, items),
            Serdes.json(Json.MAPPER, OrderConfirmed.class)));
  }

  /** Where a confirmation puts its event: the saga step's outbox. */
  @FunctionalInterface
  interface OutboxSink {
    void add(OutgoingRecord record);
  }

  /**
   * PENDING → CANCELLED with {@code reason}, in the step's transaction {@code c}.
   *
   * @throws IllegalStateException naming the order and its status when it is not PENDING
   */
  static void cancel(Connection c, String id, String reason, long now) throws SQLException {
    move(c, id, CANCELLED, reason, now);
  }

  private static void move(
      Connection c, String id, String status, @Nullable String reason, long now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE orders SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status ="
                + " 'PENDING'")) {
      ps.setString(1, status);
      ps.setString(2, reason);
      ps.setLong(3, now);
      ps.setString(4, id);
      if (ps.executeUpdate() == 1) {
        return;
      }
    }
    Order o = find(c, id);
    throw new IllegalStateException(
        "order "
            + id
            + " cannot become "
            + status
            + ": it is "
            + (o == null ? "missing" : o.status()));
  }

  private static final String COLUMNS =
      "id, run_id, idempotency_key, cart_id, customer, status, total, reason";

  private static Order row(ResultSet rs) throws SQLException {
    return new Order(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getLong(7),
        rs.getString(8));
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
}
