package io.bulwark.examples.shop.catalog;

import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Products.Product;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A product event on the topic {@value CatalogProjection#TOPIC} (keyed by sku, JSON): the write
 * side of the catalog. The catalog's read model is what {@link CatalogProjection} builds from these
 * events, in log order.
 *
 * <ul>
 *   <li>{@code CREATED} (name, category, price, stock): a new product; a second {@code CREATED} of
 *       a sku that exists changes nothing (the shop seeds its products at every start).
 *   <li>{@code PRICE_CHANGED} (price in cents, &gt;= 1).
 *   <li>{@code STOCK_CHANGED} (stock: one of {@link #STOCK_STATUSES}).
 * </ul>
 *
 * @param eventId unique per event; a republished event (same id) is applied once
 */
public record ProductEvent(
    String eventId,
    String type,
    String sku,
    @Nullable String name,
    @Nullable String category,
    @Nullable Long price,
    @Nullable String stock) {
  public static final String CREATED = "CREATED";
  public static final String PRICE_CHANGED = "PRICE_CHANGED";
  public static final String STOCK_CHANGED = "STOCK_CHANGED";

  /** The stock statuses the catalog shows. */
  public static final List<String> STOCK_STATUSES = List.of("in_stock", "low", "out_of_stock");

  /** The event that seeds {@code p}: its id is fixed, so seeding twice applies once. */
  static ProductEvent created(Product p) {
    return new ProductEvent(
        "seed-" + p.sku(),
        CREATED,
        p.sku(),
        p.name(),
        p.category(),
        p.price(),
        p.stock() == 0 ? "out_of_stock" : "in_stock");
  }

  static ProductEvent priceChanged(String eventId, String sku, long price) {
    return new ProductEvent(eventId, PRICE_CHANGED, sku, null, null, price, null);
  }

  static ProductEvent stockChanged(String eventId, String sku, String stock) {
    return new ProductEvent(eventId, STOCK_CHANGED, sku, null, null, null, stock);
  }

  byte[] bytes() {
    return Json.write(this).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The event in {@code value}, checked; an {@link IllegalArgumentException} naming {@code where}
   * and what is wrong when it is not a valid product event.
   */
  static ProductEvent parse(byte @Nullable [] value, String where) {
    if (value == null) {
      throw new IllegalArgumentException(where + ": no value");
    }
    ProductEvent e =
        Json.read(new String(value, StandardCharsets.UTF_8), ProductEvent.class, where);
    e.check(where);
    return e;
  }

  @SuppressWarnings("NullAway") // Jackson leaves missing fields null: checked here
  void check(String where) {
    if (eventId == null || eventId.isBlank() || sku == null || sku.isBlank() || type == null) {
      throw new IllegalArgumentException(where + ": eventId, type and sku are required");
    }
    switch (type) {
      case CREATED -> {
        if (name == null || category == null || price == null || price < 1 || stock == null) {
          throw new IllegalArgumentException(
              where + ": CREATED of " + sku + " needs name, category, price >= 1 and stock");
        }
        checkStock(where);
      }
      case PRICE_CHANGED -> {
        if (price == null || price < 1) {
          throw new IllegalArgumentException(
              where + ": PRICE_CHANGED of " + sku + " needs price >= 1, was " + price);
        }
      }
      case STOCK_CHANGED -> checkStock(where);
      default ->
          throw new IllegalArgumentException(
              where
                  + ": unknown type \""
                  + type
                  + "\" (known: CREATED, PRICE_CHANGED, STOCK_CHANGED)");
    }
  }

  private void checkStock(String where) {
    if (stock == null || !STOCK_STATUSES.contains(stock)) {
      throw new IllegalArgumentException(
          where + ": stock of " + sku + " must be one of " + STOCK_STATUSES + ", was " + stock);
    }
  }
}
