package io.bulwark.examples.shop;

import io.bulwark.examples.shop.common.SqlitePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the shop's stores hold at one moment, read through read-only SQLite connections: order
 * states and pending compensations, unsent outbox rows, ledger rows per charge id, reservations
 * with their units, the stock taken from the shelves, and shipments.
 */
record Snapshot(
    Map<String, String> orderStatus,
    Set<String> compensationPending,
    long unsentOutbox,
    Map<String, Long> chargeRows,
    Map<String, Long> refundRows,
    Map<String, String> reservationState,
    Map<String, Long> reservationUnits,
    long stockTaken,
    Map<String, String> shipments) {

  static Snapshot read(InvariantChecker.Stores stores) throws SQLException {
    Map<String, String> orders = new HashMap<>();
    Set<String> pending = new HashSet<>();
    long[] unsent = {0};
    withDb(
        stores.orders(),
        c -> {
          query(
              c,
              "SELECT id, status, compensation_pending FROM orders",
              rs -> {
                orders.put(rs.getString(1), rs.getString(2));
                if (rs.getInt(3) == 1) {
                  pending.add(rs.getString(1));
                }
              });
          query(
              c,
              "SELECT COUNT(*) FROM bulwark_outbox WHERE sent_at IS NULL",
              rs -> unsent[0] = rs.getLong(1));
        });
    Map<String, Long> charges = new HashMap<>();
    Map<String, Long> refunds = new HashMap<>();
    withDb(
        stores.ledger(),
        c ->
            query(
                c,
                "SELECT charge_id, kind, COUNT(*) FROM ledger GROUP BY charge_id, kind",
                rs -> {
                  switch (rs.getString(2)) {
                    case "CHARGE" -> charges.put(rs.getString(1), rs.getLong(3));
                    case "REFUND" -> refunds.put(rs.getString(1), rs.getLong(3));
                    default -> {}
                  }
                }));
    Map<String, String> state = new HashMap<>();
    Map<String, Long> units = new HashMap<>();
    long[] taken = {0};
    withDb(
        stores.inventory(),
        c -> {
          query(
              c,
              "SELECT id, state FROM reservations",
              rs -> state.put(rs.getString(1), rs.getString(2)));
          query(
              c,
              "SELECT reservation_id, SUM(quantity) FROM reservation_items GROUP BY reservation_id",
              rs -> units.put(rs.getString(1), rs.getLong(2)));
          query(
              c,
              "SELECT COALESCE(SUM(initial - available), 0) FROM stock",
              rs -> taken[0] = rs.getLong(1));
        });
    Map<String, String> shipments = new HashMap<>();
    withDb(
        stores.shipping(),
        c ->
            query(
                c,
                "SELECT order_id, status FROM shipments",
                rs -> shipments.put(rs.getString(1), rs.getString(2))));
    return new Snapshot(
        orders, pending, unsent[0], charges, refunds, state, units, taken[0], shipments);
  }

  private interface Body {
    void run(Connection c) throws SQLException;
  }

  private interface Row {
    void accept(ResultSet rs) throws SQLException;
  }

  private static void withDb(Path file, Body body) throws SQLException {
    if (!Files.exists(file)) {
      throw new SQLException("store " + file + " does not exist");
    }
    try (Connection c = SqlitePool.connect(file, true)) {
      body.run(c);
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
