package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.runtime.RuntimeListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders under the failures a checkout saga meets between its steps: orders killed while a charge
 * is outstanding (one checkout, then several), a charge that commits after its caller gave up on
 * it. Real shop on loopback; every verdict comes from the services' stores.
 */
class ShopOrdersTest {
  static final Duration SETTLE = Duration.ofSeconds(40);

  @TempDir Path dir;
  Shop shop;
  ShopCalls calls;

  void start() {
    shop = Shop.start(new ShopOptions(true, 42, dir, 0), new RuntimeListener() {});
    calls = new ShopCalls(shop);
  }

  @AfterEach
  void stop() {
    if (shop != null) {
      shop.close();
    }
  }

  int stock(String sku) {
    return calls.get("inventory", "/stock/" + sku).body().path("available").asInt(-1);
  }

  static void assertHolds(InvariantReport report) {
    assertThat(report.invariants())
        .as(report.invariants().toString())
        .isNotEmpty()
        .allMatch(Invariant::holds, "holds");
  }

  /**
   * With the ledger's write lock held by the test, no charge can complete: orders is certainly in
   * the saga's charge step when it is killed. The checkout saga resumes from its checkpoint in the
   * next incarnation (the hand-rolled checkout cancelled such an order; the saga finishes it): the
   * charge step is tried again under the same charge id, so the order ends CONFIRMED, charged once
   * and shipped, or, if its attempts ran out while the lock was held, CANCELLED with the charge
   * refunded. Either way one order, no double charge, and the invariants hold.
   */
  @Test
  void ordersKilledWhileAChargeIsOutstandingResumesTheCheckoutAfterRestart() throws Exception {
    start();
    calls.addItem("cart-k", "SKU-040", 2);
    Answer lost;
    try (Connection lock = SqlitePool.connect(shop.stores().ledger(), false);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      exec(lock, "BEGIN IMMEDIATE");
      Future<Answer> checkout = pool.submit(() -> calls.checkout("key-k", "cart-k"));
      // The reservation is visible only through inventory's stock (polled over HTTP: inventory
      // signals nothing); right after it, the saga's charge step runs.
      assertThat(eventually(Duration.ofSeconds(10), () -> stock("SKU-040") == 998)).isTrue();
      shop.runtime().instance("orders-1").kill();
      lost = checkout.get(30, TimeUnit.SECONDS);
      // a charge attempt still waiting for the lock may now land: the resumed step's replay finds
      // it under the same charge id
      exec(lock, "ROLLBACK");
    }
    assertThat(lost.status()).as("the caller of a killed orders gets no answer").isZero();
    shop.runtime().instance("orders-1").restart();

    InvariantReport report = shop.checkInvariants(SETTLE);

    assertHolds(report);
    assertThat(report.figures()).containsEntry("orders accepted", 1L);
    Answer replay = calls.checkout("key-k", "cart-k");
    String orderId = replay.text("orderId");
    long charged = ledger(orderId, "CHARGE");
    assertThat(charged).as("charged at most once").isLessThanOrEqualTo(1);
    if (replay.status() == 200) {
      assertThat(replay.text("status")).isEqualTo("CONFIRMED");
      assertThat(charged).isEqualTo(1);
      assertThat(ledger(orderId, "REFUND")).isZero();
      assertThat(stock("SKU-040")).isEqualTo(998);
      assertThat(report.figures())
          .containsEntry("orders confirmed", 1L)
          .containsEntry("saga runs completed", 1L)
          .containsEntry("shipments", 1L);
    } else {
      assertThat(replay.status()).as(replay.body().toString()).isEqualTo(503);
      assertThat(replay.text("status")).isEqualTo("CANCELLED");
      assertThat(ledger(orderId, "REFUND"))
          .as("a charge that landed is refunded")
          .isEqualTo(charged);
      assertThat(stock("SKU-040")).isEqualTo(1000);
      assertThat(report.figures())
          .containsEntry("orders cancelled", 1L)
          .containsEntry("saga runs compensated", 1L);
    }
    assertThat(calls.get("orders", "/orders/" + orderId).text("status"))
        .isEqualTo(replay.text("status"));
  }

  /**
   * Orders killed (no drain) with several checkouts inside their saga (charges held by the ledger's
   * lock) and one already compensated (out of stock), then restarted on the same storage: every
   * checkout ends CONFIRMED or compensated (CANCELLED), each key names one order, nothing is
   * charged twice, a cancelled order keeps no charge and no stock, and the invariants (including
   * every saga run ended) hold.
   */
  @Test
  void ordersKilledMidCheckoutAndRestartedEndsEveryCheckoutConfirmedOrCompensated()
      throws Exception {
    start();
    int n = 5;
    for (int i = 0; i < n; i++) {
      calls.addItem("cart-m" + i, "SKU-03" + (1 + i), 1 + i);
    }
    String shard37 = "/shards/" + InventoryShards.shardOf("SKU-037");
    String held =
        "{\"reservationId\":\"hold-m\",\"items\":[{\"sku\":\"SKU-037\",\"quantity\":999}]}";
    assertThat(calls.post("inventory", shard37 + "/reservations", held).status()).isEqualTo(201);
    calls.addItem("cart-short", "SKU-037", 2);
    Answer refused = calls.checkout("key-short", "cart-short");
    assertThat(refused.status()).as(refused.body().toString()).isEqualTo(409);
    assertThat(refused.text("error")).isEqualTo("out_of_stock");
    assertThat(calls.post("inventory", shard37 + "/reservations/hold-m/release", "").status())
        .isEqualTo(200);
    List<Answer> lost = new ArrayList<>();
    try (Connection lock = SqlitePool.connect(shop.stores().ledger(), false);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      exec(lock, "BEGIN IMMEDIATE");
      List<Future<Answer>> running = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String cart = "cart-m" + i;
        running.add(pool.submit(() -> calls.checkout("key-" + cart, cart)));
      }
      // every reservation made: every checkout is in (or past) its charge step
      for (int i = 0; i < n; i++) {
        String sku = "SKU-03" + (1 + i);
        int left = 1000 - (1 + i);
        assertThat(eventually(Duration.ofSeconds(20), () -> stock(sku) == left)).isTrue();
      }
      shop.runtime().instance("orders-1").kill();
      for (Future<Answer> f : running) {
        lost.add(f.get(60, TimeUnit.SECONDS));
      }
      exec(lock, "ROLLBACK");
    }
    assertThat(lost).as("a killed orders answers none").allMatch(a -> a.status() == 0);
    shop.runtime().instance("orders-1").restart();

    InvariantReport report = shop.checkInvariants(SETTLE);

    assertHolds(report);
    assertThat(report.figures()).containsEntry("orders accepted", (long) n + 1);
    long ended =
        report.figures().get("saga runs completed") + report.figures().get("saga runs compensated");
    assertThat(ended).isEqualTo(n + 1);
    assertThat(report.figures().get("saga runs compensated")).isGreaterThanOrEqualTo(1);
    Set<String> orderIds = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String cart = "cart-m" + i;
      Answer replay = calls.checkout("key-" + cart, cart);
      assertThat(replay.status()).as(replay.body().toString()).isIn(200, 503);
      String orderId = replay.text("orderId");
      assertThat(orderIds.add(orderId)).as("one order per key").isTrue();
      long charges = ledger(orderId, "CHARGE");
      assertThat(charges).as(orderId + " charged at most once").isLessThanOrEqualTo(1);
      int taken = 1000 - stock("SKU-03" + (1 + i));
      if (replay.status() == 200) {
        assertThat(charges).isEqualTo(1);
        assertThat(ledger(orderId, "REFUND")).isZero();
        assertThat(taken).isEqualTo(1 + i);
      } else {
        assertThat(replay.text("status")).isEqualTo("CANCELLED");
        assertThat(ledger(orderId, "REFUND")).isEqualTo(charges);
        assertThat(taken).isZero();
      }
    }
    Answer again = calls.checkout("key-short", "cart-short");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.text("message"))
        .contains(refused.text("message").substring(0, refused.text("message").indexOf(':')));
  }

  /**
   * The test holds the ledger's write lock, so no charge attempt of orders can land and each one
   * fails or times out; meanwhile, inside that same held transaction, the test writes the charge
   * one of those attempts would have committed just as its caller gave up, and commits it once
   * orders has cancelled the order: a charge that landed and whose answer was lost.
   */
  @Test
  void aChargeThatLandedButWhoseAnswerWasLostIsRefundedAndTheOrderEndsCancelled() throws Exception {
    start();
    calls.addItem("cart-l", "SKU-050", 3);
    Answer answer;
    String orderId;
    try (Connection lock = SqlitePool.connect(shop.stores().ledger(), false);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      exec(lock, "BEGIN IMMEDIATE");
      Future<Answer> checkout = pool.submit(() -> calls.checkout("key-l", "cart-l"));
      // orders signals nothing about its steps: its store is polled for the order, then its state
      assertThat(eventually(Duration.ofSeconds(10), () -> !order().isEmpty())).isTrue();
      orderId = order().get(0);
      long total = Long.parseLong(order().get(2));
      try (PreparedStatement ps =
          lock.prepareStatement(
              "INSERT INTO ledger (charge_id, kind, amount, at) VALUES (?, 'CHARGE', ?, 0)")) {
        ps.setString(1, orderId);
        ps.setLong(2, total);
        ps.executeUpdate();
      }
      assertThat(eventually(Duration.ofSeconds(20), () -> order().get(1).equals("CANCELLED")))
          .isTrue();
      exec(lock, "COMMIT");
      answer = checkout.get(30, TimeUnit.SECONDS);
    }
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.text("orderId")).isEqualTo(orderId);

    InvariantReport report = shop.checkInvariants(SETTLE);

    assertHolds(report);
    assertThat(ledger(orderId, "CHARGE")).isEqualTo(1);
    assertThat(ledger(orderId, "REFUND")).as("the lost charge is refunded").isEqualTo(1);
    assertThat(calls.get("orders", "/orders/" + orderId).text("status")).isEqualTo("CANCELLED");
    assertThat(report.figures()).containsEntry("charges", 1L).containsEntry("refunds", 1L);
    assertThat(stock("SKU-050")).isEqualTo(1000);
  }

  /** id, status and total of the only order in orders.db (empty while there is none). */
  List<String> order() {
    try (Connection c = SqlitePool.connect(shop.stores().orders().file(), true);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, status, total FROM orders")) {
      return rs.next() ? List.of(rs.getString(1), rs.getString(2), rs.getString(3)) : List.of();
    } catch (SQLException e) {
      return List.of();
    }
  }

  long ledger(String chargeId, String kind) throws SQLException {
    try (Connection c = SqlitePool.connect(shop.stores().ledger(), true);
        PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM ledger WHERE charge_id = ? AND kind = ?")) {
      ps.setString(1, chargeId);
      ps.setString(2, kind);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
