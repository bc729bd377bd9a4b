package io.bulwark.examples.shop.provider;

import io.bulwark.examples.shop.common.SqlitePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The provider's own books in SQLite ({@code provider.db}): one row per transaction, and the tokens
 * voided before any sale used them. Each operation runs in one {@code BEGIN IMMEDIATE} transaction,
 * so concurrent calls with one token see each other.
 */
final class ProviderStore {
  static final String SALE = "SALE";
  static final String REVERSED = "REVERSED";

  /** One transaction. */
  record Txn(
      String txnId,
      String merchRef,
      long cents,
      String ccy,
      @Nullable String token,
      String state) {}

  /** A refusal with the provider's error code. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;
    final String text;

    Refused(int status, String code, String text) {
      super(text);
      this.text = text;
      this.status = status;
      this.code = code;
    }
  }

  /** What a reversal found: the reversed transaction, or null when the token was voided. */
  record Reversal(@Nullable Txn txn) {}

  private final SqlitePool db;

  ProviderStore(SqlitePool db) {
    this.db = db;
  }

  void init() throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS txns (id INTEGER PRIMARY KEY AUTOINCREMENT, merch_ref"
                    + " TEXT NOT NULL, cents INTEGER NOT NULL, ccy TEXT NOT NULL, token TEXT,"
                    + " state TEXT NOT NULL, at INTEGER NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS txns_token ON txns (token)");
            s.execute("CREATE INDEX IF NOT EXISTS txns_ref ON txns (merch_ref)");
            s.execute("CREATE TABLE IF NOT EXISTS voids (token TEXT PRIMARY KEY, merch_ref TEXT)");
          }
        });
  }

  static String txnId(long rowId) {
    return String.format(Locale.ROOT, "TXN%09d", rowId);
  }

  /**
   * A sale. With a token: a replay of the same sale answers the first transaction; the token used
   * for another sale is refused E-3001, a voided token E-3002. Without a token every call is a new
   * transaction (the legacy duplicate-charge risk).
   */
  Txn sale(String ref, long cents, String ccy, @Nullable String token, long maxCents)
      throws SQLException, Refused {
    Object result =
        db.tx(
            c -> {
              if (token != null) {
                if (voided(c, token)) {
                  return new Refused(409, "E-3002", "token " + token + " was voided");
                }
                Txn earlier = byToken(c, token);
                if (earlier != null) {
                  if (!earlier.merchRef().equals(ref)
                      || earlier.cents() != cents
                      || !earlier.ccy().equals(ccy)) {
                    return new Refused(
                        409, "E-3001", "token " + token + " already used for another sale");
                  }
                  return earlier;
                }
              }
              if (cents > maxCents) {
                return new Refused(
                    200, "E-2002", "amount over the single transaction limit of " + maxCents);
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO txns (merch_ref, cents, ccy, token, state, at) VALUES (?, ?, ?,"
                          + " ?, ?, ?)",
                      Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, ref);
                ps.setLong(2, cents);
                ps.setString(3, ccy);
                ps.setString(4, token);
                ps.setString(5, SALE);
                ps.setLong(6, System.currentTimeMillis());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                  keys.next();
                  return new Txn(txnId(keys.getLong(1)), ref, cents, ccy, token, SALE);
                }
              }
            });
    if (result instanceof Refused r) {
      throw r;
    }
    return (Txn) result;
  }

  /**
   * Reverses the sale made with {@code token}; with none yet, voids the token so a later sale with
   * it is refused. Idempotent.
   */
  Reversal reverse(String ref, String token) throws SQLException, Refused {
    Object result =
        db.tx(
            c -> {
              Txn t = byToken(c, token);
              if (t == null) {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "INSERT OR IGNORE INTO voids (token, merch_ref) VALUES (?, ?)")) {
                  ps.setString(1, token);
                  ps.setString(2, ref);
                  ps.executeUpdate();
                }
                return new Reversal(null);
              }
              if (!t.merchRef().equals(ref)) {
                return new Refused(
                    409, "E-3001", "token " + token + " belongs to another merchant reference");
              }
              try (PreparedStatement ps =
                  c.prepareStatement("UPDATE txns SET state = ? WHERE token = ?")) {
                ps.setString(1, REVERSED);
                ps.setString(2, token);
                ps.executeUpdate();
              }
              return new Reversal(
                  new Txn(t.txnId(), t.merchRef(), t.cents(), t.ccy(), token, REVERSED));
            });
    if (result instanceof Refused r) {
      throw r;
    }
    return (Reversal) result;
  }

  List<Txn> byRef(String ref) throws SQLException {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, merch_ref, cents, ccy, token, state FROM txns WHERE merch_ref = ?"
                      + " ORDER BY id")) {
            ps.setString(1, ref);
            return all(ps);
          }
        });
  }

  private static boolean voided(Connection c, String token) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM voids WHERE token = ?")) {
      ps.setString(1, token);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static @Nullable Txn byToken(Connection c, String token) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, merch_ref, cents, ccy, token, state FROM txns WHERE token = ? ORDER BY id"
                + " LIMIT 1")) {
      ps.setString(1, token);
      List<Txn> found = all(ps);
      return found.isEmpty() ? null : found.getFirst();
    }
  }

  private static List<Txn> all(PreparedStatement ps) throws SQLException {
    List<Txn> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Txn(
                txnId(rs.getLong(1)),
                rs.getString(2),
                rs.getLong(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6)));
      }
    }
    return out;
  }
}
