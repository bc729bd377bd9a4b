package io.bulwark.examples.shop.payments;

import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.http.HttpProblem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The payments ledger in SQLite, shared by every payments instance: one row per charge, refund or
 * void, keyed by the charge id, with the legacy provider's transaction id and idempotency token of
 * the charge (the shop's own record of what it asked the provider to do).
 *
 * <p>Each operation looks the charge id up and inserts only if absent, in one {@code BEGIN
 * IMMEDIATE} transaction, so a charge id is charged at most once and refunded at most once whatever
 * the instances and retries. A refund of a charge id never charged records a VOID (amount 0), so a
 * charge arriving late (after its order gave up) is refused with 409 {@code voided} and never
 * lands.
 */
final class Ledger {
  static final String CHARGE = "CHARGE";
  static final String REFUND = "REFUND";
  static final String VOID = "VOID";

  /** A ledger entry; {@code created} is true when this call wrote it. */
  record Entry(
      String chargeId, String kind, long amount, String txnId, String token, boolean created) {}

  private final SqlitePool db;

  Ledger(SqlitePool db) {
    this.db = db;
  }

  void init() throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, charge_id"
                    + " TEXT NOT NULL, kind TEXT NOT NULL, amount INTEGER NOT NULL, txn TEXT NOT"
                    + " NULL DEFAULT '', token TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS ledger_charge ON ledger (charge_id, kind)");
          }
        });
  }

  /**
   * Records the charge of {@code amount} under {@code chargeId} (booked by the provider as {@code
   * txnId} under {@code token}), or answers the charge already there; 409 {@code voided} when a
   * refund came first.
   */
  Entry charge(String chargeId, long amount, String txnId, String token) throws SQLException {
    return db.tx(
        c -> {
          if (find(c, chargeId, VOID) != null) {
            throw HttpProblem.of(409, "voided", "charge " + chargeId + " was voided by a refund");
          }
          Entry existing = find(c, chargeId, CHARGE);
          if (existing != null) {
            return existing;
          }
          insert(c, chargeId, CHARGE, amount, txnId, token);
          return new Entry(chargeId, CHARGE, amount, txnId, token, true);
        });
  }

  /**
   * Records the refund of the charge {@code chargeId} (the provider reversed {@code txnId}), or a
   * void if it was never charged here.
   */
  Entry refund(String chargeId, String txnId, String token) throws SQLException {
    return db.tx(
        c -> {
          Entry done = find(c, chargeId, REFUND);
          if (done == null) {
            done = find(c, chargeId, VOID);
          }
          if (done != null) {
            return done;
          }
          Entry charge = find(c, chargeId, CHARGE);
          String kind = charge == null ? VOID : REFUND;
          long amount = charge == null ? 0 : charge.amount();
          insert(c, chargeId, kind, amount, txnId, token);
          return new Entry(chargeId, kind, amount, txnId, token, true);
        });
  }

  Optional<Entry> charged(String chargeId) throws SQLException {
    return db.read(c -> Optional.ofNullable(find(c, chargeId, CHARGE)));
  }

  /** The refund or void of {@code chargeId}, if recorded. */
  Optional<Entry> refunded(String chargeId) throws SQLException {
    return db.read(
        c -> {
          Entry e = find(c, chargeId, REFUND);
          return Optional.ofNullable(e != null ? e : find(c, chargeId, VOID));
        });
  }

  private static @Nullable Entry find(Connection c, String chargeId, String kind)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT amount, txn, token FROM ledger WHERE charge_id = ? AND kind = ? ORDER BY id LIMIT 1")) {
      ps.setString(1, chargeId);
      ps.setString(2, kind);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new Entry(chargeId, kind, rs.getLong(1), rs.getString(2), rs.getString(3), false)
            : null;
      }
    }
  }

  private static void insert(
      Connection c, String chargeId, String kind, long amount, String txnId, String token)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO ledger (charge_id, kind, amount, txn, token, at) VALUES (?, ?, ?, ?, ?,"
                + " ?)")) {
      ps.setString(1, chargeId);
      ps.setString(2, kind);
      ps.setLong(3, amount);
      ps.setString(4, txnId);
      ps.setString(5, token);
      ps.setLong(6, System.currentTimeMillis());
      ps.executeUpdate();
    }
  }
}
