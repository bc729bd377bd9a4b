package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.bulwark.events.Consumer;
import io.bulwark.events.ConsumerConfig;
import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.inventory.InventoryShards;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.RuntimeStartException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop's services through their HTTP APIs, each test on a real shop of its own on loopback: the
 * tests that kill, restart or redeploy instances, count the whole shop's orders and charges, or
 * corrupt a store. Tests that touch only their own ids share one shop in {@link
 * ShopServicesOnOneShopTest}.
 */
class ShopServicesTest {
  static final Duration SETTLE = Duration.ofSeconds(15);

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

  int stock(String sku) {
    return calls.get("inventory", "/stock/" + sku).body().path("available").asInt(-1);
  }

  @Test
  void aCheckoutConfirmsChargesShipsAndTakesStock() {
    start(true);
    assertThat(calls.addItem("cart-1", "SKU-001", 2).status()).isEqualTo(200);
    Answer cart = calls.addItem("cart-1", "SKU-002", 1);
    long price1 = calls.get("catalog", "/products/SKU-001/price").body().path("price").asLong();
    long price2 = calls.get("catalog", "/products/SKU-002/price").body().path("price").asLong();
    assertThat(cart.body().path("items")).hasSize(2);

    Answer done = calls.checkout("key-1", "cart-1");

    assertThat(done.status()).isEqualTo(201);
    assertThat(done.text("status")).isEqualTo("CONFIRMED");
    String orderId = done.text("orderId");
    assertThat(done.body().path("total").asLong()).isEqualTo(2 * price1 + price2);
    assertThat(calls.get("orders", "/orders/" + orderId).text("status")).isEqualTo("CONFIRMED");
    Answer charge = calls.get("payments", "/charges/" + orderId);
    assertThat(charge.status()).isEqualTo(200);
    assertThat(charge.body().path("amount").asLong()).isEqualTo(2 * price1 + price2);
    assertThat(stock("SKU-001")).isEqualTo(998);
    assertThat(stock("SKU-002")).isEqualTo(999);
    assertThat(
            eventually(
                SETTLE, () -> calls.get("shipping", "/shipments/" + orderId).status() == 200))
        .isTrue();
    assertThat(calls.get("shipping", "/shipments/" + orderId).text("status")).isEqualTo("SHIPPED");

    InvariantReport report = shop.checkInvariants(SETTLE);
    assertThat(report.invariants()).allMatch(Invariant::holds, "holds");
    assertThat(report.figures())
        .containsEntry("orders confirmed", 1L)
        .containsEntry("charges", 1L)
        .containsEntry("shipments", 1L)
        .containsEntry("units reserved", 3L)
        .containsEntry("units shipped", 3L);
  }

  @Test
  void aPaymentFailureReleasesTheReservationAndCancelsWithoutACharge() {
    start(false);
    calls.addItem("cart-p", "SKU-010", 3);
    shop.runtime().instance("payments-1").stop();
    shop.runtime().instance("payments-2").stop();

    Answer failed = calls.checkout("key-p", "cart-p");

    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.text("error")).isEqualTo("checkout_failed");
    assertThat(failed.text("status")).isEqualTo("CANCELLED");
    String orderId = failed.text("orderId");
    assertThat(calls.get("orders", "/orders/" + orderId).text("status")).isEqualTo("CANCELLED");
    // The saga compensates in reverse order: the refund (payments is down) is retried durably,
    // and the release comes after it, so the stock is still held.
    assertThat(
            calls
                .get("orders", "/orders/" + orderId)
                .body()
                .path("compensationPending")
                .asBoolean())
        .isTrue();
    assertThat(stock("SKU-010")).isEqualTo(997);
    shop.runtime().instance("payments-1").restart();
    shop.runtime().instance("payments-2").restart();
    assertThat(eventually(SETTLE, () -> calls.compensationDone(orderId))).isTrue();
    assertThat(stock("SKU-010")).isEqualTo(1000);
    assertThat(calls.get("payments", "/charges/" + orderId).status()).isEqualTo(404);
    Answer replay = calls.checkout("key-p", "cart-p");
    assertThat(replay.status()).isEqualTo(503);
    assertThat(replay.text("orderId")).isEqualTo(orderId);

    InvariantReport report = shop.checkInvariants(SETTLE);
    assertThat(report.invariants()).allMatch(Invariant::holds, "holds");
    assertThat(report.figures())
        .containsEntry("orders cancelled", 1L)
        .containsEntry("charges", 0L)
        .containsEntry("units released", 3L);
  }

  @Test
  void aRetriedCheckoutMakesOneOrderAndOneCharge() throws Exception {
    start(true);
    calls.addItem("cart-s", "SKU-020", 1);
    Answer first = calls.checkout("key-s", "cart-s");
    Answer again = calls.checkout("key-s", "cart-s");
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.text("orderId")).isEqualTo(first.text("orderId"));

    calls.addItem("cart-c", "SKU-021", 1);
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> answers = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < threads; i++) {
        Callable<Answer> call =
            () -> {
              go.await();
              return calls.checkout("key-c", "cart-c");
            };
        answers.add(pool.submit(call));
      }
      go.countDown();
      Set<String> orderIds = new HashSet<>();
      int created = 0;
      for (Future<Answer> f : answers) {
        Answer a = f.get();
        assertThat(a.status()).isIn(200, 201);
        created += a.status() == 201 ? 1 : 0;
        orderIds.add(a.text("orderId"));
      }
      assertThat(created).isEqualTo(1);
      assertThat(orderIds).hasSize(1);
    }
    InvariantReport report = shop.checkInvariants(SETTLE);
    assertThat(report.invariants()).allMatch(Invariant::holds, "holds");
    assertThat(report.figures())
        .containsEntry("orders accepted", 2L)
        .containsEntry("charges", 2L)
        .containsEntry("shipments", 2L);
    assertThat(stock("SKU-021")).isEqualTo(999);
  }

  @Test
  void ordersConfirmedWhileShippingIsDeadAreShippedAfterItsRestart() {
    start(true);
    List<String> orderIds = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      if (i == 3) {
        shop.runtime().instance("shipping-1").kill();
      }
      calls.addItem("cart-k" + i, "SKU-040", 1);
      Answer a = calls.checkout("key-k" + i, "cart-k" + i);
      assertThat(a.status()).isEqualTo(201);
      orderIds.add(a.text("orderId"));
    }
    shop.runtime().instance("shipping-1").restart();

    InvariantReport report = shop.checkInvariants(SETTLE);

    assertThat(report.invariants()).allMatch(Invariant::holds, "holds");
    assertThat(report.figures()).containsEntry("shipments", 6L).containsEntry("units shipped", 6L);
    for (String id : orderIds) {
      assertThat(calls.get("shipping", "/shipments/" + id).text("status")).isEqualTo("SHIPPED");
    }
  }

  @Test
  void aKilledShippingInstanceDoesNotLeaveItsGroupGracefully() {
    start(true);
    shop.runtime().instance("shipping-1").kill();
    try (SharedEventLog.Lease lease = SharedEventLog.acquire(dir.resolve("event-log"));
        Consumer probe = lease.log().consumer(ConsumerConfig.builder("shipping").build())) {
      probe.subscribe(List.of(SharedEventLog.ORDERS_TOPIC));
      probe.poll(Duration.ofMillis(10));
      // a crashed member keeps its partitions until its session times out; one that left
      // gracefully would have handed both partitions to the newcomer at once
      assertThat(probe.assignment()).hasSizeLessThan(SharedEventLog.ORDERS_PARTITIONS);
    }
  }

  /** Sends a copy of the first outbox event with its order id replaced by {@code orderId}. */
  void replayEventFor(String orderId) throws Exception {
    Path orders = shop.runtime().instance("orders-1").storage().resolve("orders.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + orders);
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO bulwark_outbox (topic, msg_key, headers, payload, created_at)"
                    + " SELECT topic, msg_key, headers, CAST(replace(CAST(payload AS TEXT),"
                    + " json_extract(CAST(payload AS TEXT), '$.orderId'), ?) AS BLOB), created_at"
                    + " FROM bulwark_outbox ORDER BY id LIMIT 1")) {
      ps.setString(1, orderId);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  /** Ship requests inventory served so far, over its instances (their /metrics). */
  long shipRequests() {
    long n = 0;
    for (String id : InventoryShards.NAMES) {
      String text =
          calls.raw("http://127.0.0.1:" + shop.runtime().instance(id).port() + "/metrics");
      for (String line : text.split("\n", -1)) {
        if (line.startsWith("bulwark_endpoint_requests_total")
            && line.contains("/shards/{shard}/reservations/{id}/ship")) {
          n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return n;
  }

  @Test
  void aShipAnswered404IsRetriedAndOnlyInvalidStateIsRecordedAsFailed() throws Exception {
    start(true);
    String shard = "/shards/" + InventoryShards.shardOf("SKU-045");
    calls.addItem("cart-g", "SKU-045", 1);
    String first = calls.checkout("key-g", "cart-g").text("orderId");
    assertThat(
            eventually(SETTLE, () -> calls.get("shipping", "/shipments/" + first).status() == 200))
        .isTrue();
    long before = shipRequests();

    // an event whose reservation inventory does not know yet: a 404 is no reason to give up
    replayEventFor("ord-ghost");
    assertThat(eventually(SETTLE, () -> shipRequests() > before)).isTrue();
    String body =
        "{\"reservationId\":\"ord-ghost\",\"items\":[{\"sku\":\"SKU-045\",\"quantity\":1}]}";
    assertThat(calls.post("inventory", shard + "/reservations", body).status()).isEqualTo(201);
    assertThat(
            eventually(
                SETTLE,
                () ->
                    calls.get("shipping", "/shipments/ord-ghost").text("status").equals("SHIPPED")))
        .as("shipment of ord-ghost: %s", calls.get("shipping", "/shipments/ord-ghost").body())
        .isTrue();

    // a reservation released before it ships: inventory's invalid_state is final, and recorded
    calls.post("inventory", shard + "/reservations/ord-gone/release", "");
    replayEventFor("ord-gone");
    assertThat(
            eventually(SETTLE, () -> calls.get("shipping", "/shipments/ord-gone").status() == 200))
        .isTrue();
    Answer gone = calls.get("shipping", "/shipments/ord-gone");
    assertThat(gone.text("status")).isEqualTo("FAILED");
    assertThat(gone.text("detail")).contains("invalid_state");
  }

  @Test
  void theBadPaymentsVersionFailsTheSameRequestsWhateverTheirOrder() throws Exception {
    start(false);
    shop.runtime().instance("payments-2").deploy(Shop.BAD_PAYMENTS_VERSION);
    URI bad =
        URI.create(
            shop.runtime().scheme("payments")
                + "://127.0.0.1:"
                + shop.runtime().instance("payments-2").port());
    List<Callable<Boolean>> charges = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 8; i++) {
        String body = "{\"chargeId\":\"coin-" + i + "\",\"amount\":100}";
        charges.add(
            () -> calls.raw(bad.resolve("/charges").toString(), body).contains("bad_version"));
      }
    }
    List<Boolean> failed = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<Boolean> f : pool.invokeAll(charges)) {
        failed.add(f.get());
      }
    }
    // the same charge meets the same coin on the bad instance, however the calls interleave
    assertThat(failed.subList(8, 16)).isEqualTo(failed.subList(0, 8));
    assertThat(failed.subList(0, 8)).contains(true, false);
  }

  @Test
  void paymentsTakesMoneyCallsFromTheCheckoutSagaAloneOverMutualTls() throws Exception {
    start(false);
    assertThat(shop.runtime().scheme("payments")).isEqualTo("https");
    assertThat(shop.runtime().scheme("cart")).isEqualTo("http");
    int port = shop.runtime().instance("payments-1").port();
    assertThat(
            new JsonCalls()
                .raw(
                    java.net.http.HttpRequest.newBuilder().GET(),
                    URI.create("http://127.0.0.1:" + port + "/charges/x")))
        .as("plain HTTP gets no answer from payments")
        .isEmpty();
    // a checkout charges through the orders service's identity
    calls.addItem("cart-z", "SKU-030", 1);
    String orderId = calls.checkout("key-z", "cart-z").text("orderId");
    assertThat(calls.get("payments", "/charges/" + orderId).status()).isEqualTo(200);
    // only the checkout saga may move money; nobody else, and the saga only by POST
    io.bulwark.http.AuthorizationPolicy p = Shop.PAYMENTS_POLICY;
    io.bulwark.core.identity.WorkloadIdentity orders =
        io.bulwark.core.identity.WorkloadIdentity.of("shop", "orders");
    assertThat(p.allowing(orders, "POST", "/charges")).isEqualTo("checkout-saga");
    assertThat(p.allowing(orders, "POST", "/refunds")).isEqualTo("checkout-saga");
    assertThat(p.allowing(orders, "GET", "/charges/{id}")).isNull();
    for (String other : List.of("bff", "mobile-bff", "gateway", "cart", "payment-provider")) {
      assertThat(
              p.allowing(
                  io.bulwark.core.identity.WorkloadIdentity.of("shop", other), "POST", "/charges"))
          .as(other)
          .isNull();
    }
  }

  @Test
  void theCheckerNamesAChargeIdChargedTwice() throws Exception {
    start(true);
    calls.addItem("cart-d", "SKU-030", 1);
    String orderId = calls.checkout("key-d", "cart-d").text("orderId");
    assertThat(shop.checkInvariants(SETTLE).holds()).isTrue();

    Path ledger = dir.resolve("payments").resolve("shared").resolve("ledger.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO ledger (charge_id, kind, amount, at) VALUES (?, 'CHARGE', 1, 0)")) {
      ps.setString(1, orderId);
      ps.executeUpdate();
    }

    InvariantReport report = shop.checkInvariants(SETTLE);
    assertThat(report.holds()).isFalse();
    Invariant twice =
        report.invariants().stream().filter(i -> !i.holds()).findFirst().orElseThrow();
    assertThat(twice.name()).contains("charged twice");
    assertThat(twice.detail()).contains(orderId).contains("charged 2 times");
  }

  @Test
  void recommendationsDownGivePopularItemsWithResilienceOnAnd502WithItOff() {
    start(true);
    Answer personal = calls.get("catalog", "/products/SKU-005");
    assertThat(personal.text("recommendationsSource")).isEqualTo("personal");
    assertThat(personal.body().path("recommendations")).hasSize(4);
    shop.runtime().instance("recommendations-1").kill();
    for (int i = 0; i < 20; i++) {
      Answer page = calls.get("catalog", "/products/SKU-005");
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.text("recommendationsSource")).isEqualTo("popular");
      assertThat(page.body().path("recommendations")).isNotEmpty();
    }
    shop.close();

    shop = Shop.start(new ShopOptions(false, 42, dir.resolve("off"), 0), new RuntimeListener() {});
    calls = new ShopCalls(shop);
    shop.runtime().instance("recommendations-1").kill();
    assertThat(calls.get("catalog", "/products/SKU-005").status()).isEqualTo(502);
  }

  @Test
  void aStorageRootThatCannotBeWrittenIsNamedAndNothingRuns() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(
            () -> Shop.start(new ShopOptions(true, 1, file, 0), new RuntimeListener() {}))
        .isInstanceOf(RuntimeStartException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void aPortInUseIsNamedAndNothingIsLeftRunning() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    int last;
    int base;
    Set<Integer> freeBefore = new HashSet<>();
    try (ServerSocket taken = takenBelowTheEphemeralRange()) {
      last = taken.getLocalPort();
      // the shop takes basePort .. basePort + 8: the last instance's port is taken, so eight
      // instances start (servers, stores, loops, the event log) before the shop gives up. The
      // range is below the ephemeral range (no outgoing connection takes one of its ports), but a
      // server of this machine may still hold one of the other ports: then the shop stops at that
      // one, and must name it.
      base = last - 8;
      for (int port = base; port < last; port++) {
        if (isFree(port)) {
          freeBefore.add(port);
        }
      }
      Throwable refused =
          catchThrowable(
              () -> Shop.start(new ShopOptions(true, 1, dir, base), new RuntimeListener() {}));
      assertThat(refused).isInstanceOf(RuntimeStartException.class);
      Matcher named = Pattern.compile("port (\\d+) is in use").matcher(refused.getMessage());
      assertThat(named.find()).as("names the port: %s", refused.getMessage()).isTrue();
      int port = Integer.parseInt(named.group(1));
      assertThat(port).isBetween(base, last);
      assertThat(port == last || !freeBefore.contains(port))
          .as("port %s was free before the start", port)
          .isTrue();
    }
    for (int port : freeBefore) {
      assertThat(isFree(port)).as("port %s released", port).isTrue();
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      // JDK threads (process reaper, common pool workers, virtual threads' carriers) are not the
      // shop's
      boolean jdk =
          t.getThreadGroup() == null
              || t.getThreadGroup().getName().equals("InnocuousThreadGroup")
              || t.getThreadGroup().getName().equals("CarrierThreads")
              || t.getName().startsWith("ForkJoinPool.commonPool");
      if (!before.contains(t) && !jdk) {
        assertThat(t.join(Duration.ofSeconds(10))).as("thread %s still alive", t).isTrue();
      }
    }
    // the event log was released: a new shop on the same storage starts
    start(true);
    assertThat(calls.get("catalog", "/products/SKU-001").status()).isEqualTo(200);
  }

  /**
   * A socket bound to a port below the kernel's ephemeral range whose eight ports below are free
   * when it is chosen (from a random start, so that concurrent test JVMs do not pick the same).
   */
  private static ServerSocket takenBelowTheEphemeralRange() throws IOException {
    int ephemeralLow = 32768;
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
      java.util.Scanner fields = new java.util.Scanner(range);
      ephemeralLow = fields.nextInt();
    } catch (IOException | RuntimeException e) {
      // not Linux: keep the usual default
    }
    int from = 10_000;
    int span = Math.max(1, ephemeralLow - 16 - from);
    int start = from + java.util.concurrent.ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i += 9) {
      int last = from + (start - from + i) % span + 8;
      boolean allFree = true;
      for (int port = last - 8; port < last && allFree; port++) {
        allFree = isFree(port);
      }
      if (allFree) {
        try {
          return new ServerSocket(last);
        } catch (IOException taken) {
          // taken meanwhile: look further
        }
      }
    }
    throw new IllegalStateException("no free run of 9 ports below " + ephemeralLow);
  }

  private static boolean isFree(int port) {
    try (ServerSocket probe = new ServerSocket(port)) {
      return probe.getLocalPort() == port;
    } catch (IOException e) {
      return false;
    }
  }
}
