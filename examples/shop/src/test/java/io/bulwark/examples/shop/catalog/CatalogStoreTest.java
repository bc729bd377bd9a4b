package io.bulwark.examples.shop.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.examples.shop.catalog.CatalogStore.Invalidation;
import io.bulwark.examples.shop.common.SqlitePool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read model's idempotence, record by record: redelivered offsets, republished events, a second
 * CREATED, events for unknown skus and bad records change nothing (but move the offset).
 */
class CatalogStoreTest {
  @TempDir Path dir;
  SqlitePool db;
  CatalogStore store;

  static final ProductEvent KNIFE =
      new ProductEvent("seed-K", ProductEvent.CREATED, "K", "Knife", "kitchen", 500L, "in_stock");

  @BeforeEach
  void open() throws Exception {
    db = SqlitePool.open(dir.resolve("catalog.db"), 1);
    store = new CatalogStore(db);
    store.init();
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void eachEventChangesTheModelOnceAndCountsInTheVersion() throws Exception {
    assertThat(store.apply(0, 0, KNIFE)).isEqualTo("K");
    assertThat(store.apply(0, 1, ProductEvent.priceChanged("e1", "K", 650))).isEqualTo("K");
    assertThat(store.apply(0, 2, ProductEvent.stockChanged("e2", "K", "low"))).isEqualTo("K");
    assertThat(store.snapshot()).containsExactly(Map.entry("K", "Knife|kitchen|650|low|v3"));
    assertThat(store.find("K").price()).isEqualTo(650);
    assertThat(store.offsets()).containsExactly(Map.entry(0, 3L));
  }

  @Test
  void redeliveredRepublishedAndPointlessEventsChangeNothing() throws Exception {
    store.apply(1, 0, KNIFE);
    store.apply(1, 1, ProductEvent.priceChanged("e1", "K", 650));
    // the same record again (a redelivery after a crash before the commit)
    assertThat(store.apply(1, 1, ProductEvent.priceChanged("e1", "K", 650))).isNull();
    // the same event republished at a later offset
    assertThat(store.apply(1, 2, ProductEvent.priceChanged("e1", "K", 650))).isNull();
    // a second CREATED of the sku (another seeding) with other fields
    assertThat(
            store.apply(
                1,
                3,
                new ProductEvent(
                    "seed-K2", ProductEvent.CREATED, "K", "Other", "garden", 1L, "out_of_stock")))
        .isNull();
    // a change of a sku never created, a record that was no event
    assertThat(store.apply(1, 4, ProductEvent.priceChanged("e9", "NOPE", 10))).isNull();
    assertThat(store.apply(1, 5, null)).isNull();
    assertThat(store.snapshot()).containsExactly(Map.entry("K", "Knife|kitchen|650|in_stock|v2"));
    assertThat(store.offsets()).containsExactly(Map.entry(1, 6L));
    // offsets of the other partition are its own
    assertThat(store.apply(0, 0, ProductEvent.priceChanged("e3", "K", 700))).isEqualTo("K");
    assertThat(store.offsets()).containsExactly(Map.entry(0, 1L), Map.entry(1, 6L));
  }

  @Test
  void anInvalidationIsPendingUntilRecorded() throws Exception {
    store.apply(0, 0, KNIFE);
    assertThat(store.applied("seed-K"))
        .hasValueSatisfying(a -> assertThat(a.invalidation()).isNull());
    assertThat(store.pendingInvalidations())
        .containsExactly(new CatalogStore.Pending("seed-K", "K"));
    store.invalidated("seed-K", new Invalidation(1, 41));
    assertThat(store.applied("seed-K"))
        .hasValueSatisfying(a -> assertThat(a.invalidation()).isEqualTo(new Invalidation(1, 41)));
    assertThat(store.pendingInvalidations()).isEmpty();
    assertThat(store.applied("never")).isEmpty();
  }

  @Test
  void badEventsAreRefusedNamingWhereAndWhat() {
    String where = "product-events-1@7";
    for (var bad :
        List.of(
            Map.entry("not json", "not a ProductEvent"),
            Map.entry(
                "{\"eventId\":\"x\",\"type\":\"PRICE_CHANGED\",\"sku\":\"K\",\"price\":0}",
                "price >= 1, was 0"),
            Map.entry(
                "{\"eventId\":\"x\",\"type\":\"STOCK_CHANGED\",\"sku\":\"K\",\"stock\":\"plenty\"}",
                "was plenty"),
            Map.entry(
                "{\"eventId\":\"x\",\"type\":\"DELETED\",\"sku\":\"K\"}",
                "unknown type \"DELETED\""),
            Map.entry("{\"type\":\"CREATED\",\"sku\":\"K\"}", "eventId, type and sku are required"),
            Map.entry(
                "{\"eventId\":\"x\",\"type\":\"CREATED\",\"sku\":\"K\",\"price\":5}",
                "needs name"))) {
      assertThatThrownBy(
              () -> ProductEvent.parse(bad.getKey().getBytes(StandardCharsets.UTF_8), where))
          .as(bad.getKey())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(where)
          .hasMessageContaining(bad.getValue());
    }
    assertThatThrownBy(() -> ProductEvent.parse(null, where)).hasMessageContaining(where);
  }
}
