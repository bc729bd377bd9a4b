package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.runtime.InstanceState;
import io.bulwark.runtime.RuntimeListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop's services through their HTTP APIs, on one real shop on loopback shared by the class
 * (resilience on): refusals of bad and hostile requests, and checkouts, reservations and payments
 * that each touch only their own carts, keys, reservation and charge ids and SKUs (no other test of
 * this class names them), so no test depends on another's order or leftovers. A test whose SKU's
 * stock it asserts first proves that stock untouched. Tests that kill, restart or redeploy an
 * instance, or count the whole shop's orders, keep a shop of their own in {@link ShopServicesTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShopServicesOnOneShopTest {
  static final Duration SETTLE = ShopServicesTest.SETTLE;

  // static: JUnit injects an instance field only after @BeforeAll has run
  @TempDir static Path dir;
  Shop shop;
  ShopCalls calls;

  @BeforeAll
  void start() {
    shop = Shop.start(new ShopOptions(true, 42, dir, 0), new RuntimeListener() {});
    calls = new ShopCalls(shop);
  }

  @BeforeEach
  void everyInstanceIsReady() {
    assertThat(shop.runtime().instances())
        .allSatisfy(h -> assertThat(h.state()).as(h.id()).isEqualTo(InstanceState.READY));
  }

  @AfterAll
  void stop() {
    shop.close();
  }

  int stock(String sku) {
    return calls.get("inventory", "/stock/" + sku).body().path("available").asInt(-1);
  }

  @Test
  void badRequestsAreRefusedNamingTheBadValue() {
    assertThat(calls.addItem("c", "SKU-001", 11).status()).isEqualTo(400);
    assertThat(calls.addItem("c", "SKU-001", 0).status()).isEqualTo(400);
    Answer unknown = calls.addItem("c", "SKU-999", 1);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.text("message")).contains("SKU-999");
    assertThat(calls.get("catalog", "/products/SKU-999").status()).isEqualTo(404);
    assertThat(calls.get("catalog", "/products?page=0").text("message")).contains("page");
    assertThat(calls.get("catalog", "/products?page=x").status()).isEqualTo(400);
    assertThat(calls.get("catalog", "/products?page=3").body().path("products")).hasSize(20);
    assertThat(calls.get("catalog", "/products?page=4").body().path("products")).isEmpty();
    assertThat(
            calls
                .get("catalog", "/search?q=KNIFE")
                .body()
                .path("products")
                .get(0)
                .path("sku")
                .asText())
        .isEqualTo("SKU-001");
    Answer empty = calls.checkout("k-empty", "no-such-cart");
    assertThat(empty.status()).isEqualTo(409);
    assertThat(empty.text("error")).isEqualTo("empty_cart");
    Answer noKey = calls.checkout("", "c");
    assertThat(noKey.status()).isEqualTo(400);
    assertThat(calls.checkout("k".repeat(65), "c").text("message")).contains("Idempotency-Key");
    assertThat(calls.post("inventory", "/shards/inventory-1/reservations/nope/ship", "").status())
        .isEqualTo(404);
    Answer noShard = calls.post("inventory", "/shards/inventory-9/reservations/r/ship", "");
    assertThat(noShard.status()).isEqualTo(404);
    assertThat(noShard.text("message")).contains("inventory-9");
    String sku = "SKU-001";
    String other =
        InventoryShards.NAMES.stream()
            .filter(shard -> !shard.equals(InventoryShards.shardOf(sku)))
            .findFirst()
            .orElseThrow();
    Answer wrongShard =
        calls.post(
            "inventory",
            "/shards/" + other + "/reservations",
            "{\"reservationId\":\"w1\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}");
    assertThat(wrongShard.status()).isEqualTo(400);
    assertThat(wrongShard.text("message"))
        .contains(sku)
        .contains(InventoryShards.shardOf(sku))
        .contains(other);
    assertThat(calls.pay("/charges", "{\"chargeId\":\"x\",\"amount\":0}", "k-x").text("message"))
        .contains("amount");
    assertThat(calls.post("payments", "/charges", "{\"chargeId\":\"x\",\"amount\":5}"))
        .satisfies(a -> assertThat(a.status()).isEqualTo(400))
        .satisfies(a -> assertThat(a.text("message")).contains("Idempotency-Key"));
  }

  @Test
  void idsThatWouldChangeAnOutboundUrlAreRefusedNamingTheValue() {
    Answer query = calls.addItem("c", "SKU-001?x=", 1);
    assertThat(query.status()).isEqualTo(400);
    assertThat(query.text("message")).contains("SKU-001?x=");
    Answer dots = calls.addItem("c", "../SKU-001", 1);
    assertThat(dots.status()).isEqualTo(400);
    assertThat(dots.text("message")).contains("../SKU-001");
    Answer cart = calls.checkout("k-url", "c?x=1");
    assertThat(cart.status()).isEqualTo(400);
    assertThat(cart.text("message")).contains("c?x=1");
    assertThat(calls.get("cart", "/carts/c").status())
        .as("no x-customer-id: not through a customer route")
        .isEqualTo(401);
  }

  @Test
  void aKeyReusedForAnotherCartIsRefusedNotAnsweredWithTheFirstOrder() {
    assertThat(stock("SKU-023")).as("untouched before this test").isEqualTo(1000);
    calls.addItem("cart-r1", "SKU-022", 1);
    calls.addItem("cart-r2", "SKU-023", 2);
    Answer first = calls.checkout("key-r", "cart-r1");
    assertThat(first.status()).isEqualTo(201);

    Answer other = calls.checkout("key-r", "cart-r2");

    assertThat(other.status()).isEqualTo(422);
    assertThat(other.text("message")).contains("key-r").contains("cart-r2");
    assertThat(calls.checkout("key-r", "cart-r1").status()).isEqualTo(200);
    assertThat(stock("SKU-023")).isEqualTo(1000);
  }

  @Test
  void reservationsReserveOnceNeverOversellAndMoveOnlyFromReserved() {
    String sku = "SKU-050";
    String shard = "/shards/" + InventoryShards.shardOf(sku);
    assertThat(stock(sku)).as("untouched before this test").isEqualTo(1000);
    String body = "{\"reservationId\":\"r1\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":4}]}";
    assertThat(calls.post("inventory", shard + "/reservations", body).status()).isEqualTo(201);
    Answer replay = calls.post("inventory", shard + "/reservations", body);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.text("state")).isEqualTo("RESERVED");
    assertThat(stock(sku)).isEqualTo(996);

    Answer tooMany =
        calls.post(
            "inventory",
            shard + "/reservations",
            "{\"reservationId\":\"r2\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":997}]}");
    assertThat(tooMany.status()).isEqualTo(409);
    assertThat(tooMany.text("error")).isEqualTo("out_of_stock");
    assertThat(stock(sku)).isEqualTo(996);

    assertThat(calls.post("inventory", shard + "/reservations/r1/ship", "").status())
        .isEqualTo(200);
    assertThat(calls.post("inventory", shard + "/reservations/r1/ship", "").status())
        .isEqualTo(200);
    Answer releaseShipped = calls.post("inventory", shard + "/reservations/r1/release", "");
    assertThat(releaseShipped.status()).isEqualTo(409);
    assertThat(releaseShipped.text("message")).contains("SHIPPED").contains("RELEASED");
    assertThat(stock(sku)).isEqualTo(996);

    // a release that overtakes its reservation: the late reservation reserves nothing
    assertThat(calls.post("inventory", shard + "/reservations/r3/release", "").status())
        .isEqualTo(200);
    Answer late =
        calls.post(
            "inventory",
            shard + "/reservations",
            "{\"reservationId\":\"r3\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}");
    assertThat(late.text("state")).isEqualTo("RELEASED");
    assertThat(stock(sku)).isEqualTo(996);
    Answer shipReleased = calls.post("inventory", shard + "/reservations/r3/ship", "");
    assertThat(shipReleased.status()).isEqualTo(409);
    assertThat(shipReleased.text("message")).contains("RELEASED").contains("SHIPPED");
  }

  @Test
  void anOutOfStockCheckoutTombstonesItsReservationSoALateAttemptReservesNothing() {
    String sku = "SKU-060";
    String shard = "/shards/" + InventoryShards.shardOf(sku);
    assertThat(stock(sku)).as("untouched before this test").isEqualTo(1000);
    String hold =
        "{\"reservationId\":\"hold\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":995}]}";
    assertThat(calls.post("inventory", shard + "/reservations", hold).status()).isEqualTo(201);
    calls.addItem("cart-o", sku, 10);

    Answer refused = calls.checkout("key-o", "cart-o");

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text("error")).isEqualTo("out_of_stock");
    Matcher m = Pattern.compile("order (ord-[0-9a-f-]+)").matcher(refused.text("message"));
    assertThat(m.find()).as("order id in %s", refused.text("message")).isTrue();
    String orderId = m.group(1);
    // the saga's release (its compensation) runs after the answer: wait until it is done
    assertThat(eventually(SETTLE, () -> calls.compensationDone(orderId))).isTrue();
    // stock comes back; an attempt of the refused order's reservation that arrives late
    assertThat(calls.post("inventory", shard + "/reservations/hold/release", "").status())
        .isEqualTo(200);
    Answer late =
        calls.post(
            "inventory",
            shard + "/reservations",
            "{\"reservationId\":\""
                + orderId
                + "\",\"items\":[{\"sku\":\""
                + sku
                + "\",\"quantity\":10}]}");

    assertThat(late.text("state")).isEqualTo("RELEASED");
    assertThat(stock(sku)).isEqualTo(1000);
    assertThat(calls.get("orders", "/orders/" + orderId).text("status")).isEqualTo("CANCELLED");
  }

  @Test
  void chargesAndRefundsLandOnceAndARefundBeforeItsChargeVoidsIt() {
    String charge = "{\"chargeId\":\"c1\",\"amount\":500}";
    assertThat(calls.pay("/charges", charge, "k1").status()).isEqualTo(201);
    assertThat(calls.pay("/charges", charge, "k1").status()).isEqualTo(200);
    assertThat(calls.pay("/refunds", "{\"chargeId\":\"c1\"}", "k1").text("kind"))
        .isEqualTo("REFUND");
    assertThat(calls.pay("/refunds", "{\"chargeId\":\"c1\"}", "k1").status()).isEqualTo(200);

    assertThat(calls.pay("/refunds", "{\"chargeId\":\"c2\"}", "k2").text("kind")).isEqualTo("VOID");
    Answer late = calls.pay("/charges", "{\"chargeId\":\"c2\",\"amount\":500}", "k2");
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.text("error")).isEqualTo("voided");
    assertThat(calls.get("payments", "/charges/c2").status()).isEqualTo(404);
  }
}
