package io.bulwark.examples.shop.catalog;

import io.bulwark.examples.shop.catalog.CatalogService.ProductView;
import io.bulwark.examples.shop.common.SqlitePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The catalog's read model in SQLite ({@code catalog.db} in the service's shared storage, shared by
 * every catalog instance), written only by {@link CatalogProjection} from the product events.
 *
 * <p>Idempotent: {@link #apply} stores the event's effect, its id and the partition's next offset
 * in one transaction, and skips a record whose offset is below that partition's next offset (a
 * redelivery) or whose event id was applied already (a republished event). Each product keeps the
 * number of events applied to it ({@code version}), so a double application would show.
 */
final class CatalogStore {
  /** Where an event's cache invalidation was stored in the log, once published. */
  record Invalidation(int partition, long offset) {}

  /** An applied event; {@code invalidation} null while its invalidation is not published. */
  record Applied(@Nullable Invalidation invalidation) {}

  /** An applied event whose invalidation is not published yet. */
  record Pending(String eventId, String sku) {}

  private final SqlitePool db;

  CatalogStore(SqlitePool db) {
    this.db = db;
  }

  /** Creates the tables if missing. */
  void init() throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS products (sku TEXT PRIMARY KEY, name TEXT NOT NULL,"
                    + " category TEXT NOT NULL, price INTEGER NOT NULL CHECK (price > 0),"
                    + " stock TEXT NOT NULL, version INTEGER NOT NULL)");
            s.execute(
                "CREATE TABLE IF NOT EXISTS projection_offsets (part INTEGER PRIMARY KEY,"
                    + " next_offset INTEGER NOT NULL)");
            s.execute(
                "CREATE TABLE IF NOT EXISTS applied_events (event_id TEXT PRIMARY KEY, sku TEXT"
                    + " NOT NULL, inv_partition INTEGER, inv_offset INTEGER)");
          }
        });
  }

  /**
   * Applies the event at {@code offset} of {@code partition}; answers the sku it changed, or null
   * when it changed nothing (a redelivered record, a republished event, a second CREATED, an event
   * for a sku never created, or a record that is no valid event — each still moves the offset on).
   */
  @Nullable String apply(int partition, long offset, @Nullable ProductEvent event)
      throws SQLException {
    return db.<@Nullable String>tx(
        c -> {
          long next = nextOffset(c, partition);
          if (offset < next) {
            return null;
          }
          setNextOffset(c, partition, offset + 1);
          if (event == null || isApplied(c, event.eventId())) {
            return null;
          }
          if (!change(c, event)) {
            return null;
          }
          try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO applied_events (event_id, sku) VALUES (?, ?)")) {
            ps.setString(1, event.eventId());
            ps.setString(2, event.sku());
            ps.executeUpdate();
          }
          return event.sku();
        });
  }

  @SuppressWarnings("NullAway") // the fields each type needs were checked by ProductEvent.check
  private static boolean change(Connection c, ProductEvent e) throws SQLException {
    String sql =
        switch (e.type()) {
          case ProductEvent.CREATED ->
              "INSERT OR IGNORE INTO products (sku, name, category, price, stock, version)"
                  + " VALUES (?, ?, ?, ?, ?, 1)";
          case ProductEvent.PRICE_CHANGED ->
              "UPDATE products SET price = ?, version = version + 1 WHERE sku = ?";
          default -> "UPDATE products SET stock = ?, version = version + 1 WHERE sku = ?";
        };
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      switch (e.type()) {
        case ProductEvent.CREATED -> {
          ps.setString(1, e.sku());
          ps.setString(2, e.name());
          ps.setString(3, e.category());
          ps.setLong(4, e.price());
          ps.setString(5, e.stock());
        }
        case ProductEvent.PRICE_CHANGED -> {
          ps.setLong(1, e.price());
          ps.setString(2, e.sku());
        }
        default -> {
          ps.setString(1, e.stock());
          ps.setString(2, e.sku());
        }
      }
      return ps.executeUpdate() == 1;
    }
  }

  private static long nextOffset(Connection c, int partition) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT next_offset FROM projection_offsets WHERE part = ?")) {
      ps.setInt(1, partition);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private static void setNextOffset(Connection c, int partition, long next) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO projection_offsets (part, next_offset) VALUES (?, ?) ON CONFLICT(part)"
                + " DO UPDATE SET next_offset = excluded.next_offset")) {
      ps.setInt(1, partition);
      ps.setLong(2, next);
      ps.executeUpdate();
    }
  }

  private static boolean isApplied(Connection c, String eventId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM applied_events WHERE event_id = ?")) {
      ps.setString(1, eventId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Records where the invalidation of {@code eventId}'s sku was stored in the log. */
  void invalidated(String eventId, Invalidation where) throws SQLException {
    db.txRun(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE applied_events SET inv_partition = ?, inv_offset = ? WHERE event_id"
                      + " = ?")) {
            ps.setInt(1, where.partition());
            ps.setLong(2, where.offset());
            ps.setString(3, eventId);
            ps.executeUpdate();
          }
        });
  }

  /** Whether {@code eventId} was applied: empty if not (yet, or it changed nothing). */
  Optional<Applied> applied(String eventId) throws SQLException {
    return db.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT inv_partition, inv_offset FROM applied_events WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              int p = rs.getInt(1);
              Invalidation inv = rs.wasNull() ? null : new Invalidation(p, rs.getLong(2));
              return Optional.of(new Applied(inv));
            }
          }
        });
  }

  /** The applied events whose invalidation is not published yet (a projector died in between). */
  List<Pending> pendingInvalidations() throws SQLException {
    return db.read(
        c -> {
          List<Pending> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT event_id, sku FROM applied_events WHERE inv_offset IS NULL");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new Pending(rs.getString(1), rs.getString(2)));
            }
          }
          return out;
        });
  }

  /** The next offset to apply per partition. */
  Map<Integer, Long> offsets() throws SQLException {
    return db.read(
        c -> {
          Map<Integer, Long> out = new TreeMap<>();
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT part, next_offset FROM projection_offsets");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.put(rs.getInt(1), rs.getLong(2));
            }
          }
          return out;
        });
  }

  /** Every product with its version, by sku: the model as a whole, to compare two builds. */
  Map<String, String> snapshot() throws SQLException {
    return db.read(
        c -> {
          Map<String, String> out = new TreeMap<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT sku, name, category, price, stock, version FROM products");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.put(
                  rs.getString(1),
                  rs.getString(2)
                      + "|"
                      + rs.getString(3)
                      + "|"
                      + rs.getLong(4)
                      + "|"
                      + rs.getString(5)
                      + "|v"
                      + rs.getLong(6));
            }
          }
          return out;
        });
  }

  /** The product {@code sku}, or null if there is none. */
  @Nullable ProductView find(String sku) throws SQLException {
    return findAll(List.of(sku)).get(sku);
  }

  /** The products of {@code skus} that exist, in one query. */
  Map<String, ProductView> findAll(Collection<? extends String> skus) throws SQLException {
    if (skus.isEmpty()) {
      return Map.of();
    }
    String marks = String.join(", ", java.util.Collections.nCopies(skus.size(), "?"));
    return db.read(
        c -> {
          Map<String, ProductView> found = new HashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT sku, name, category, price, stock FROM products WHERE sku IN ("
                      + marks
                      + ")")) {
            int i = 1;
            for (String sku : skus) {
              ps.setString(i++, sku);
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                found.put(
                    rs.getString(1),
                    new ProductView(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getString(5)));
              }
            }
          }
          return found;
        });
  }
}
