package io.bulwark.examples.shop.catalog;

import io.bulwark.examples.shop.catalog.CatalogService.ProductView;
import io.bulwark.examples.shop.common.Products.Product;
import io.bulwark.examples.shop.common.SqlitePool;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The catalog's source of truth: the products in SQLite ({@code catalog.db} in the service's shared
 * storage, seeded from {@code shop/products.json}), shared by every catalog instance. Reads go
 * through each instance's cache; a price change is one transaction, followed by the cache's
 * invalidation (see {@link CatalogService}).
 */
final class CatalogStore {
  private final SqlitePool db;

  CatalogStore(SqlitePool db) {
    this.db = db;
  }

  /** Creates the table and seeds every product not yet there. */
  void init(List<Product> products) throws SQLException {
    db.txRun(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS products (sku TEXT PRIMARY KEY, name TEXT NOT NULL,"
                    + " category TEXT NOT NULL, price INTEGER NOT NULL CHECK (price > 0))");
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT OR IGNORE INTO products (sku, name, category, price) VALUES (?, ?, ?,"
                      + " ?)")) {
            for (Product p : products) {
              ps.setString(1, p.sku());
              ps.setString(2, p.name());
              ps.setString(3, p.category());
              ps.setLong(4, p.price());
              ps.addBatch();
            }
            ps.executeBatch();
          }
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
                  "SELECT sku, name, category, price FROM products WHERE sku IN (" + marks + ")")) {
            int i = 1;
            for (String sku : skus) {
              ps.setString(i++, sku);
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                found.put(
                    rs.getString(1),
                    new ProductView(
                        rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
              }
            }
          }
          return found;
        });
  }

  /** Sets the price of {@code sku}; false if there is no such product. */
  boolean setPrice(String sku, long price) throws SQLException {
    return db.tx(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE products SET price = ? WHERE sku = ?")) {
            ps.setLong(1, price);
            ps.setString(2, sku);
            return ps.executeUpdate() == 1;
          }
        });
  }
}
