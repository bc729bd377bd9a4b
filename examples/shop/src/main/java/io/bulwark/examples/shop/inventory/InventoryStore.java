package io.bulwark.examples.shop.inventory;

import io.bulwark.examples.shop.common.Products.Product;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.http.HttpProblem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Stock and reservations in SQLite, shared by every inventory instance.
 *
 * <p>Each operation is one {@code BEGIN IMMEDIATE} transaction, so the instances' operations are
 * serialized by the database. Guarantees: available stock never goes below 0 (a reservation that
 * does not fit changes nothing); a reservation id reserves at most once (a replay answers the
 * stored reservation); a reservation moves only RESERVED → RELEASED (stock back) or RESERVED →
 * SHIPPED, and repeating the same move is a no-op. Releasing an id never reserved records it as
 * RELEASED with no items, so a reservation that arrives late (after its order gave up) reserves
 * nothing.
 */
final class InventoryStore {
  static final String RESERVED = "RESERVED";
  static final String RELEASED = "RELEASED";
  static final String SHIPPED = "SHIPPED";

  /** A line of a reservation. */
  record Line(String sku, int quantity) {}

  /** A reservation as stored; {@code created} is true when this call made it. */
  record Reservation(String reservationId, String state, List<Line> items, boolean created) {}

  private final SqlitePool db;

  InventoryStore(SqlitePool db) {
    this.db = db;
  }

  /** Creates the tables and seeds the stock of every product not yet there. */
  void init(List<Product> products) throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, initial INTEGER NOT NULL,"
                    + " available INTEGER NOT NULL CHECK (available >= 0))");
            s.execute(
                "CREATE TABLE IF NOT EXISTS reservations (id TEXT PRIMARY KEY, state TEXT NOT NULL,"
                    + " updated_at INTEGER NOT NULL)");
            s.execute(
                "CREATE TABLE IF NOT EXISTS reservation_items (reservation_id TEXT NOT NULL, sku"
                    + " TEXT NOT NULL, quantity INTEGER NOT NULL, PRIMARY KEY (reservation_id,"
                    + " sku))");
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT OR IGNORE INTO stock (sku, initial, available) VALUES (?, ?, ?)")) {
            for (Product p : products) {
              ps.setString(1, p.sku());
              ps.setInt(2, p.stock());
              ps.setInt(3, p.stock());
              ps.addBatch();
            }
            ps.executeBatch();
          }
        });
  }

  /** Reserves {@code items} under {@code id}, or answers the reservation stored under it. */
  Reservation reserve(String id, List<Line> items) throws SQLException {
    return db.tx(
        c -> {
          Reservation existing = find(c, id);
          if (existing != null) {
            return existing;
          }
          for (Line line : items) {
            int available = available(c, line.sku());
            if (available < line.quantity()) {
              throw HttpProblem.of(
                  409,
                  "out_of_stock",
                  "sku " + line.sku() + ": " + line.quantity() + " wanted, " + available + " left");
            }
          }
          for (Line line : items) {
            update(c, "UPDATE stock SET available = available - ? WHERE sku = ?", line);
            insertLine(c, id, line);
          }
          setState(c, id, RESERVED, true);
          return new Reservation(id, RESERVED, items, true);
        });
  }

  /** RESERVED → RELEASED (stock back); RELEASED again is a no-op; SHIPPED is refused. */
  Reservation release(String id) throws SQLException {
    return db.tx(
        c -> {
          Reservation r = find(c, id);
          if (r == null) {
            setState(c, id, RELEASED, true);
            return new Reservation(id, RELEASED, List.of(), true);
          }
          return move(c, r, RELEASED);
        });
  }

  /** RESERVED → SHIPPED; SHIPPED again is a no-op; RELEASED is refused; unknown is 404. */
  Reservation ship(String id) throws SQLException {
    return db.tx(
        c -> {
          Reservation r = find(c, id);
          if (r == null) {
            throw HttpProblem.notFound("no reservation " + id);
          }
          return move(c, r, SHIPPED);
        });
  }

  int stock(String sku) throws SQLException {
    return db.read(c -> available(c, sku));
  }

  private Reservation move(Connection c, Reservation r, String to) throws SQLException {
    if (r.state().equals(to)) {
      return r;
    }
    if (!r.state().equals(RESERVED)) {
      throw HttpProblem.of(
          409,
          "invalid_state",
          "reservation " + r.reservationId() + " is " + r.state() + ", cannot become " + to);
    }
    if (to.equals(RELEASED)) {
      for (Line line : r.items()) {
        update(c, "UPDATE stock SET available = available + ? WHERE sku = ?", line);
      }
    }
    setState(c, r.reservationId(), to, false);
    return new Reservation(r.reservationId(), to, r.items(), false);
  }

  private static int available(Connection c, String sku) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT available FROM stock WHERE sku = ?")) {
      ps.setString(1, sku);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw HttpProblem.notFound("unknown sku " + sku);
        }
        return rs.getInt(1);
      }
    }
  }

  private static @Nullable Reservation find(Connection c, String id) throws SQLException {
    String state;
    try (PreparedStatement ps = c.prepareStatement("SELECT state FROM reservations WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        state = rs.getString(1);
      }
    }
    List<Line> lines = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT sku, quantity FROM reservation_items WHERE reservation_id = ? ORDER BY sku")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lines.add(new Line(rs.getString(1), rs.getInt(2)));
        }
      }
    }
    return new Reservation(id, state, lines, false);
  }

  private static void update(Connection c, String sql, Line line) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, line.quantity());
      ps.setString(2, line.sku());
      ps.executeUpdate();
    }
  }

  private static void insertLine(Connection c, String id, Line line) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO reservation_items (reservation_id, sku, quantity) VALUES (?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, line.sku());
      ps.setInt(3, line.quantity());
      ps.executeUpdate();
    }
  }

  private static void setState(Connection c, String id, String state, boolean insert)
      throws SQLException {
    String sql =
        insert
            ? "INSERT INTO reservations (state, updated_at, id) VALUES (?, ?, ?)"
            : "UPDATE reservations SET state = ?, updated_at = ? WHERE id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, state);
      ps.setLong(2, System.currentTimeMillis());
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }
}
