package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.ShopCalls.Answer;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.runtime.RuntimeListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders under the failures a checkout meets between its steps: the checker called while checkouts
 * still run, orders killed while a charge is outstanding, a charge that commits after its caller
 * gave up on it. Real shop on loopback; every verdict comes from the services' stores.
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
   * The test holds orders.db's write lock, so accepted checkouts wait to write their order rows
   * (for at most the 1 s busy timeout): the checker called then must not judge, and its report must
   * count every order once the lock is released. Note: the checker's own read of orders.db also
   * waits behind that lock, so this test pins the guarantee but does not by itself tell the wait on
   * orders' running checkouts from that one (no public way was found to stall a checkout before its
   * order row without also stalling readers).
   */
  @Test
  void ordersKilledWhileAChargeIsOutstandingCancelsAndCompensatesTheCheckoutAfterRestart()
      throws Exception {
    start();
    calls.addItem("cart-k", "SKU-040", 2);
    Answer lost;
    try (Connection lock = SqlitePool.connect(shop.stores().ledger(), false);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      // with the ledger's write lock held by the test, the charge cannot complete: orders is
      // certainly waiting for it when it is killed
      exec(lock, "BEGIN IMMEDIATE");
      Future<Answer> checkout = pool.submit(() -> calls.checkout("key-k", "cart-k"));
      // The reservation is visible only through inventory's stock (polled over HTTP: inventory
      // signals nothing); right after it, orders sends the charge.
      assertThat(eventually(Duration.ofSeconds(10), () -> stock("SKU-040") == 998)).isTrue();
      shop.runtime().instance("orders-1").kill();
      lost = checkout.get(30, TimeUnit.SECONDS);
      // a charge attempt still waiting for the lock may now land: for an order nobody runs
      exec(lock, "ROLLBACK");
    }
    assertThat(lost.status()).as("the caller of a killed orders gets no answer").isZero();
    shop.runtime().instance("orders-1").restart();

    InvariantReport report = shop.checkInvariants(SETTLE);

    assertHolds(report);
    assertThat(report.figures()).containsEntry("orders accepted", 1L);
    Answer replay = calls.checkout("key-k", "cart-k");
    assertThat(replay.status())
        .as("the charge never completed: the order is cancelled")
        .isEqualTo(503);
    assertThat(replay.text("status")).isEqualTo("CANCELLED");
    String orderId = replay.text("orderId");
    assertThat(calls.get("orders", "/orders/" + orderId).text("status")).isEqualTo("CANCELLED");
    assertThat(stock("SKU-040")).isEqualTo(1000);
    assertThat(report.figures())
        .containsEntry("orders cancelled", 1L)
        .containsEntry("units released", 2L);
    long charged = ledger(orderId, "CHARGE");
    assertThat(charged).isLessThanOrEqualTo(1);
    assertThat(ledger(orderId, "REFUND")).as("a charge that landed is refunded").isEqualTo(charged);
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
    try (Connection c = SqlitePool.connect(shop.stores().orders(), true);
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
