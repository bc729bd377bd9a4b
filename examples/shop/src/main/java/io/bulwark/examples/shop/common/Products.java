package io.bulwark.examples.shop.common;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shop's products, from {@code shop/products.json} (shipped with the example): catalog,
 * recommendations and inventory all read the same file. Immutable.
 */
public final class Products {
  public static final String FILE = "shop/products.json";

  /** One product; {@code price} in cents, {@code popularity} 1 = most popular. */
  public record Product(
      String sku, String name, String category, long price, int stock, int popularity) {}

  /** The file's shape. */
  public record ProductFile(List<Product> products) {}

  private final List<Product> all;
  private final Map<String, Product> bySku;

  private Products(List<Product> all) {
    this.all = List.copyOf(all);
    Map<String, Product> m = new LinkedHashMap<>();
    for (Product p : all) {
      if (m.put(p.sku(), p) != null) {
        throw new IllegalStateException(FILE + ": sku " + p.sku() + " appears twice");
      }
      if (p.price() <= 0 || p.stock() < 0) {
        throw new IllegalStateException(FILE + ": sku " + p.sku() + " has a bad price or stock");
      }
    }
    this.bySku = m;
  }

  /** Loads the shipped file. */
  public static Products load() {
    return new Products(Json.read(Resources.text(FILE), ProductFile.class, FILE).products());
  }

  public List<Product> all() {
    return all;
  }

  public Optional<Product> find(String sku) {
    return Optional.ofNullable(bySku.get(sku));
  }

  /** The {@code n} most popular products, except {@code sku}. */
  public List<Product> popular(int n, String exceptSku) {
    return all.stream()
        .filter(p -> !p.sku().equals(exceptSku))
        .sorted(Comparator.comparingInt(Product::popularity))
        .limit(n)
        .toList();
  }
}
