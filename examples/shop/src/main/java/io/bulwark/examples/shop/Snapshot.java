package io.bulwark.examples.shop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.SqlitePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the shop's stores hold at one moment, read through read-only connections (SQLite; orders'
 * database may be PostgreSQL): order states, unsent outbox rows, ledger rows per charge id,
 * reservations with their units, the stock taken from the shelves, and shipments; with the checkout
 * saga runs as orders reported them just before.
 */
record Snapshot(
    Map<String, String> orderStatus,
    Map<String, Map<String, Long>> orderItems,
    Map<String, Long> orderTotal,
    InvariantChecker.SagaRuns sagaRuns,
    long unsentOutbox,
    Map<String, Long> chargeRows,
    Map<String, Long> refundRows,
    Map<String, Long> chargeAmount,
    Map<String, String> reservationState,
    Map<String, Long> reservationUnits,
    Map<String, Map<String, Long>> reservationItems,
    long stockTaken,
    Map<String, String> shipments,
    // payments' legacy provider and notifications (shoppay)
    Map<String, List<String>> providerTxns,
    Map<String, Long> notifications) {

  static Snapshot read(InvariantChecker.Stores stores, InvariantChecker.SagaRuns runs)
      throws SQLException {
    Map<String, String> orders = new HashMap<>();
    Map<String, Map<String, Long>> orderItems = new HashMap<>();
    Map<String, Long> totals = new HashMap<>();
    long[] unsent = {0};
    withOrders(
        stores.orders(),
        c -> {
          query(
              c,
              "SELECT id, status, items, total FROM orders",
              rs -> {
                orders.put(rs.getString(1), rs.getString(2));
                orderItems.put(rs.getString(1), items(rs.getString(1), rs.getString(3)));
                totals.put(rs.getString(1), rs.getLong(4));
              });
          query(
              c,
              "SELECT COUNT(*) FROM bulwark_outbox WHERE sent_at IS NULL",
              rs -> unsent[0] = rs.getLong(1));
        });
    Map<String, Long> charges = new HashMap<>();
    Map<String, Long> refunds = new HashMap<>();
    Map<String, Long> amounts = new HashMap<>();
    withDb(
        stores.ledger(),
        c ->
            query(
                c,
                "SELECT charge_id, kind, COUNT(*), SUM(amount) FROM ledger GROUP BY charge_id, kind",
                rs -> {
                  switch (rs.getString(2)) {
                    case "CHARGE" -> {
                      charges.put(rs.getString(1), rs.getLong(3));
                      amounts.put(rs.getString(1), rs.getLong(4));
                    }
                    case "REFUND" -> refunds.put(rs.getString(1), rs.getLong(3));
                    default -> {}
                  }
                }));
    Map<String, String> state = new HashMap<>();
    Map<String, Long> units = new HashMap<>();
    Map<String, Map<String, Long>> reservationItems = new HashMap<>();
    long[] taken = {0};
    for (Path shard : stores.inventory()) {
      withDb(
          shard,
          c -> {
            query(
                c,
                "SELECT id, state FROM reservations",
                rs -> state.merge(rs.getString(1), rs.getString(2), Snapshot::acrossShards));
            query(
                c,
                "SELECT reservation_id, sku, quantity FROM reservation_items",
                rs -> {
                  units.merge(rs.getString(1), rs.getLong(3), Long::sum);
                  reservationItems
                      .computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                      .merge(rs.getString(2), rs.getLong(3), Long::sum);
                });
            query(
                c,
                "SELECT COALESCE(SUM(initial - available), 0) FROM stock",
                rs -> taken[0] += rs.getLong(1));
          });
    }
    Map<String, String> shipments = new HashMap<>();
    withDb(
        stores.shipping(),
        c ->
            query(
                c,
                "SELECT order_id, status FROM shipments",
                rs -> shipments.put(rs.getString(1), rs.getString(2))));
    // the provider's own books: per merchant reference, each transaction as "STATE cents"
    Map<String, List<String>> providerTxns = new HashMap<>();
    withDb(
        stores.provider(),
        c ->
            query(
                c,
                "SELECT merch_ref, state, cents FROM txns ORDER BY id",
                rs ->
                    providerTxns
                        .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(rs.getString(2) + " " + rs.getLong(3))));
    Map<String, Long> notifications = new HashMap<>();
    withDb(
        stores.notifications(),
        c ->
            query(
                c,
                "SELECT order_id, COUNT(*) FROM notifications GROUP BY order_id",
                rs -> notifications.put(rs.getString(1), rs.getLong(2))));
    return new Snapshot(
        orders,
        orderItems,
        totals,
        runs,
        unsent[0],
        charges,
        refunds,
        amounts,
        state,
        units,
        reservationItems,
        taken[0],
        shipments,
        providerTxns,
        notifications);
  }

  private interface Body {
    void run(Connection c) throws SQLException;
  }

  private interface Row {
    void accept(ResultSet rs) throws SQLException;
  }

  /** Units per sku of an order's items (its JSON column). */
  private static Map<String, Long> items(String orderId, String json) throws SQLException {
    Map<String, Long> units = new TreeMap<>();
    try {
      for (JsonNode item : Json.MAPPER.readTree(json)) {
        units.merge(item.path("sku").asText(), item.path("quantity").asLong(), Long::sum);
      }
    } catch (JsonProcessingException e) {
      throw new SQLException("order " + orderId + ": items are not JSON: " + json, e);
    }
    return units;
  }

  /**
   * The state of a reservation held on several inventory shards (one per home shard of its items):
   * the common state, RESERVED while any shard still holds it, else both named (e.g. {@code
   * SHIPPED+RELEASED}), which no invariant accepts.
   */
  private static String acrossShards(String a, String b) {
    if (a.equals(b)) {
      return a;
    }
    if (a.equals("RESERVED") || b.equals("RESERVED")) {
      return "RESERVED";
    }
    return a + "+" + b;
  }

  /**
   * Runs {@code body} in one read transaction of the orders database: every query sees the same
   * moment (on PostgreSQL a REPEATABLE READ transaction, read-only).
   */
  private static void withOrders(InvariantChecker.OrdersDb db, Body body) throws SQLException {
    String url = db.jdbcUrl();
    if (url == null) {
      withDb(db.file(), body);
      return;
    }
    try (Connection c = DriverManager.getConnection(url, db.user(), "")) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      c.setAutoCommit(false);
      try {
        body.run(c);
      } finally {
        c.rollback();
      }
    }
  }

  /** Runs {@code body} in one read transaction: every query sees the same moment of the file. */
  private static void withDb(Path file, Body body) throws SQLException {
    if (!Files.exists(file)) {
      throw new SQLException("store " + file + " does not exist");
    }
    try (Connection c = SqlitePool.connect(file, true)) {
      c.setAutoCommit(false);
      try {
        body.run(c);
      } finally {
        c.rollback();
      }
    }
  }

  private static void query(Connection c, String sql, Row row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        row.accept(rs);
      }
    }
  }
}
