package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.inventory.InventoryService;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.runtime.RuntimeListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inventory sharded by SKU over 3 instances, reached through the shard router: a checkout whose
 * items live on three shards, one of them on a killed instance, still completes through the replica
 * (resilience on), and fails with resilience off; the reservations land in the home shards' stores
 * either way, and the invariants hold. Real shop on loopback.
 */
class ShopShardingTest {
  static final Duration SETTLE = Duration.ofSeconds(60);

  @TempDir Path dir;
  Shop shop;
  ShopCalls calls;

  void start(boolean resilience) {
    shop = Shop.start(new ShopOptions(resilience, 42, dir, 0), new RuntimeListener() {});
    calls = new ShopCalls(shop);
  }

  @AfterEach
  void stop() {
    if (shop != null) {
      shop.close();
    }
  }

  /** One sku per shard, the first of each in the catalog's order. */
  static Map<String, String> skuPerShard() {
    Map<String, String> skus = new LinkedHashMap<>();
    for (int i = 1; i <= 60 && skus.size() < InventoryShards.SHARDS; i++) {
      String sku = String.format("SKU-%03d", i);
      skus.putIfAbsent(InventoryShards.shardOf(sku), sku);
    }
    assertThat(skus).containsOnlyKeys(InventoryShards.NAMES);
    return skus;
  }

  int stock(String sku) {
    return calls.get("inventory", "/stock/" + sku).body().path("available").asInt(-1);
  }

  /** The state of reservation {@code id} in {@code shard}'s own store, or "none". */
  String stateIn(String shard, String id) throws SQLException {
    Path file = InventoryService.storeFile(dir.resolve("inventory").resolve("shared"), shard);
    try (Connection c = SqlitePool.connect(file, true);
        PreparedStatement ps = c.prepareStatement("SELECT state FROM reservations WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "none";
      }
    }
  }

  static void assertHolds(InvariantReport report) {
    assertThat(report.invariants())
        .as(report.invariants().toString())
        .isNotEmpty()
        .allMatch(Invariant::holds, "holds");
  }

  @Test
  void aCheckoutWhoseSkuLivesOnAKilledShardSucceedsThroughTheReplica() throws Exception {
    start(true);
    Map<String, String> skus = skuPerShard();
    String orphan = skus.get("inventory-2");
    int before = stock(orphan);
    shop.runtime().instance("inventory-2").kill();

    skus.values().forEach(sku -> calls.addItem("cart-s", sku, 2));
    Answer done = calls.checkout("key-s", "cart-s");
    assertThat(done.status()).as(done.body().toString()).isIn(200, 201);
    assertThat(done.text("status")).isEqualTo("CONFIRMED");
    String orderId = done.text("orderId");
    assertThat(
            eventually(
                SETTLE,
                () ->
                    calls
                        .get("shipping", "/shipments/" + orderId)
                        .text("status")
                        .equals("SHIPPED")))
        .isTrue();

    assertThat(stock(orphan))
        .as("served from the killed instance's shard store")
        .isEqualTo(before - 2);
    for (String shard : InventoryShards.NAMES) {
      assertThat(stateIn(shard, orderId)).as(shard).isEqualTo("SHIPPED");
    }
    assertHolds(shop.checkInvariants(SETTLE));
  }

  @Test
  void withResilienceOffTheSameCheckoutIsCancelledAndCompensatedOnceTheShardIsBack()
      throws Exception {
    start(false);
    Map<String, String> skus = skuPerShard();
    shop.runtime().instance("inventory-2").kill();

    skus.values().forEach(sku -> calls.addItem("cart-o", sku, 1));
    Answer failed = calls.checkout("key-o", "cart-o");
    assertThat(failed.text("status")).as(failed.body().toString()).isEqualTo("CANCELLED");
    String orderId = failed.text("orderId");
    assertThat(stateIn("inventory-2", orderId))
        .as("nothing reached the killed shard")
        .isEqualTo("none");

    shop.runtime().instance("inventory-2").restart();
    assertHolds(shop.checkInvariants(SETTLE));
    for (String shard : InventoryShards.NAMES) {
      assertThat(stateIn(shard, orderId)).as(shard).isIn("RELEASED");
    }
  }
}
