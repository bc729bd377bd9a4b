package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.legacy.LegacyService;
import io.bulwark.runtime.RuntimeListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop through its edge only: every user call goes to the gateway service (JWT login, rate
 * limits, the strangler split), as the load generator's do. Service state is read directly only
 * where a user has no view of it (stock, invariants).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShopEdgeTest {
  static final Duration SETTLE = Duration.ofSeconds(15);

  Shop shop;
  ShopCalls internal;
  EdgeCalls edge;

  @BeforeAll
  void start(@TempDir Path dir) {
    shop = Shop.start(new ShopOptions(true, 42, dir, 0), new RuntimeListener() {});
    internal = new ShopCalls(shop);
    edge = new EdgeCalls(shop.edgeUri());
  }

  @AfterAll
  void stop() {
    if (shop != null) {
      shop.close();
    }
  }

  int stock(String sku) {
    return internal.get("inventory", "/stock/" + sku).body().path("available").asInt(-1);
  }

  @Test
  void aCustomerLogsInBrowsesFillsACartAndChecksOutThroughTheGateway() {
    assertThat(edge.get("/products?page=1", null).status()).isEqualTo(200);
    assertThat(edge.get("/search?q=lamp", null).status()).isEqualTo(200);
    Answer product = edge.get("/products/SKU-030", null);
    assertThat(product.status()).isEqualTo(200);
    assertThat(product.body().path("product").path("sku").asText()).isEqualTo("SKU-030");

    String token = edge.login("carol");
    assertThat(edge.addItem(token, "cart-e1", "SKU-030", 2).status()).isEqualTo(200);
    assertThat(edge.get("/carts/cart-e1", token).body().path("items")).hasSize(1);
    Answer done = edge.checkout(token, "key-e1", "cart-e1");

    assertThat(done.status()).isEqualTo(201);
    assertThat(done.text("status")).isEqualTo("CONFIRMED");
    String orderId = done.text("orderId");
    assertThat(edge.get("/orders/" + orderId, token).text("status")).isEqualTo("CONFIRMED");
    assertThat(stock("SKU-030")).isEqualTo(998);
    assertThat(edge.get("/orders/" + orderId, null).status())
        .as("an order is not shown without a token")
        .isEqualTo(401);
  }

  @Test
  void aRetriedCheckoutThroughTheGatewayCreatesOneOrder() throws Exception {
    String token = edge.login("dave");
    edge.addItem(token, "cart-e2", "SKU-031", 1);
    Answer first = edge.checkout(token, "key-e2", "cart-e2");
    Answer again = edge.checkout(token, "key-e2", "cart-e2");
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.text("orderId")).isEqualTo(first.text("orderId"));

    edge.addItem(token, "cart-e3", "SKU-032", 1);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> answers = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 6; i++) {
        Callable<Answer> call =
            () -> {
              go.await();
              return edge.checkout(token, "key-e3", "cart-e3");
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
    assertThat(stock("SKU-032")).isEqualTo(999);
  }

  @Test
  void customerRoutesRefuseMissingForgedAndSelfSignedTokensWith401() throws Exception {
    String token = edge.login("erin");
    assertThat(edge.get("/carts/cart-e4", token).status()).as("control").isEqualTo(404);

    Answer none = edge.get("/carts/cart-e4", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate")).isPresent();

    String[] parts = token.split("\\.", -1);
    String otherSub =
        b64(
            new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"sub\":\"erin\"", "\"sub\":\"mallory\""));
    assertThat(edge.get("/carts/cart-e4", parts[0] + "." + otherSub + "." + parts[2]).status())
        .as("a payload changed after signing")
        .isEqualTo(401);

    String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    String noneHeader = b64(header.replace("ES256", "none"));
    assertThat(edge.get("/carts/cart-e4", noneHeader + "." + parts[1] + ".").status())
        .as("alg none")
        .isEqualTo(401);

    assertThat(edge.get("/carts/cart-e4", selfSigned(parts[0], parts[1])).status())
        .as("the identity's kid, signed with another key")
        .isEqualTo(401);

    Answer badLogin =
        edge.post("/login", "{\"customer\":\"erin\",\"password\":\"guess\"}", null, Map.of());
    assertThat(badLogin.status()).isEqualTo(401);
    assertThat(badLogin.text("error")).isEqualTo("login_failed");
    Answer badId =
        edge.post("/login", "{\"customer\":\"../admin\",\"password\":\"x\"}", null, Map.of());
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.text("message")).contains("'../admin'");
  }

  @Test
  void theCustomerHeaderComesFromTheTokenNeverFromTheClient() {
    String token = edge.login("frank");
    Answer account = edge.get("/legacy/account", token, Map.of("x-customer-id", "grace"));
    assertThat(account.status()).isEqualTo(200);
    assertThat(account.text("CUST_ID")).isEqualTo("frank");
    assertThat(account.text("SERVED_BY")).isEqualTo(LegacyService.SERVED_BY);
    assertThat(edge.get("/legacy/account", null, Map.of("x-customer-id", "grace")).status())
        .isEqualTo(401);
  }

  @Test
  void aCustomerCannotActOnAnotherCustomersCartByNamingThem() {
    String victor = edge.login("victor");
    String mallory = edge.login("mallory");
    Map<String, String> spoof = Map.of("x-customer-id", "victor");
    assertThat(edge.addItem(victor, "cart-v1", "SKU-040", 1).status()).isEqualTo(200);

    Answer read = edge.get("/carts/cart-v1", mallory, spoof);
    assertThat(read.status()).as("the gateway replaced the client's header").isEqualTo(403);
    assertThat(read.text("error")).isEqualTo("not_your_cart");
    Answer add =
        edge.post("/carts/cart-v1/items", "{\"sku\":\"SKU-041\",\"quantity\":1}", mallory, spoof);
    assertThat(add.status()).isEqualTo(403);
    Answer takeOver =
        edge.post(
            "/checkout",
            "{\"cartId\":\"cart-v1\"}",
            mallory,
            Map.of("Idempotency-Key", "key-v1", "x-customer-id", "victor"));
    assertThat(takeOver.status()).isEqualTo(403);
    assertThat(takeOver.text("error")).isEqualTo("not_your_cart");

    assertThat(edge.addItem(mallory, "cart-m1", "SKU-041", 1).status()).isEqualTo(200);
    Answer named =
        edge.post(
            "/checkout",
            "{\"cartId\":\"cart-m1\",\"customer\":\"victor\"}",
            mallory,
            Map.of("Idempotency-Key", "key-m1"));
    assertThat(named.status()).isEqualTo(403);
    assertThat(named.text("error")).isEqualTo("customer_mismatch");
    assertThat(named.text("message")).contains("'victor'", "'mallory'");

    Answer page = edge.get("/web/api/home?cart=cart-v1", null, spoof);
    assertThat(page.status()).as("an anonymous page").isEqualTo(200);
    assertThat(page.body().path("products")).isNotEmpty();
    assertThat(page.body().path("cart").path("items").isMissingNode())
        .as("no summary of victor's cart: the gateway removed the client's header")
        .isTrue();
    assertThat(edge.get("/web/api/cart/cart-v1", mallory, spoof).status()).isEqualTo(403);
    Answer bypass =
        internal.post("cart", "/carts/cart-v1/items", "{\"sku\":\"SKU-041\",\"quantity\":1}");
    assertThat(bypass.status()).as("no header: not through a customer route").isEqualTo(401);
    assertThat(bypass.text("error")).isEqualTo("customer_required");

    Answer lines = edge.get("/carts/cart-v1", victor);
    assertThat(lines.body().path("items")).as("nothing changed victor's cart").hasSize(1);
    Answer own = edge.checkout(victor, "key-v2", "cart-v1");
    assertThat(own.status()).isEqualTo(201);
    String order = "/orders/" + own.text("orderId");
    assertThat(edge.get(order, victor).text("status")).isEqualTo("CONFIRMED");
    assertThat(edge.get(order, mallory, spoof).status())
        .as("another customer's order is unknown to mallory")
        .isEqualTo(404);
    assertThat(own.text("total"))
        .isEqualTo(String.valueOf(lines.body().path("items").get(0).path("price").asLong()));
  }

  @Test
  void aFloodingCustomerGets429WithRetryAfterWhileOthersPass() {
    String hostile = edge.login("henry");
    String other = edge.login("iris");
    int admitted = 0;
    Answer limited = null;
    long t0 = System.nanoTime();
    for (int i = 0; i < 120; i++) {
      Answer a = edge.get("/carts/cart-flood", hostile);
      if (a.status() == 429) {
        limited = a;
      } else {
        assertThat(a.status()).isEqualTo(404);
        admitted++;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(limited).as("the 121st request of a burst of 40 at 20/s").isNotNull();
    assertThat(Integer.parseInt(limited.headers().firstValue("retry-after").orElseThrow()))
        .isPositive();
    assertThat(admitted).isLessThanOrEqualTo(40 + (int) Math.ceil(20 * seconds) + 1);
    // the same second: another customer and anonymous browsing pass
    assertThat(edge.get("/carts/cart-flood", other).status()).isEqualTo(404);
    assertThat(edge.get("/products/SKU-001", null).status()).isEqualTo(200);
  }

  @Test
  void theStranglerSendsItsConfiguredShareOfLegacyProductPagesToTheCatalog() {
    int n = 600;
    int toNew = 0;
    for (int i = 0; i < n; i++) {
      Answer a = edge.get("/legacy/products/SKU-00" + (1 + i % 9), null);
      assertThat(a.status()).isEqualTo(200);
      toNew += side(a) ? 1 : 0;
    }
    // share 30 %: within 4.5 standard deviations of N p
    double sigma = Math.sqrt(n * 0.3 * 0.7);
    assertThat((double) toNew).isBetween(n * 0.3 - 4.5 * sigma, n * 0.3 + 4.5 * sigma);

    int users = 150;
    int usersOnNew = 0;
    Map<String, Boolean> sides = new HashMap<>();
    for (int round = 0; round < 2; round++) {
      for (int u = 0; u < users; u++) {
        Answer a =
            edge.get("/legacy/products/SKU-011", null, Map.of("cookie", "shop-session=u-" + u));
        boolean onNew = side(a);
        Boolean before = sides.putIfAbsent("u-" + u, onNew);
        assertThat(before == null || before == onNew).as("user u-%d stays on one side", u).isTrue();
      }
    }
    for (boolean onNew : sides.values()) {
      usersOnNew += onNew ? 1 : 0;
    }
    double userSigma = Math.sqrt(users * 0.3 * 0.7);
    assertThat((double) usersOnNew)
        .isBetween(users * 0.3 - 4.5 * userSigma, users * 0.3 + 4.5 * userSigma);
  }

  /** True when the catalog (the new side) answered, false for the monolith; fails on neither. */
  private static boolean side(Answer a) {
    boolean legacy = a.text("SERVED_BY").equals(LegacyService.SERVED_BY);
    boolean catalog = a.body().path("product").has("sku");
    assertThat(legacy ^ catalog).as("answered by exactly one side: %s", a.body()).isTrue();
    return catalog;
  }

  @Test
  void aPaymentFailureThroughTheGatewayCompensatesTheReservation(@TempDir Path other) {
    try (Shop off = Shop.start(new ShopOptions(false, 7, other, 0), new RuntimeListener() {})) {
      EdgeCalls users = new EdgeCalls(off.edgeUri());
      ShopCalls ops = new ShopCalls(off);
      String token = users.login("judy");
      assertThat(users.addItem(token, "cart-p", "SKU-010", 3).status()).isEqualTo(200);
      off.runtime().instance("payments-1").stop();
      off.runtime().instance("payments-2").stop();

      Answer failed = users.checkout(token, "key-p", "cart-p");

      assertThat(failed.status()).isEqualTo(503);
      assertThat(failed.text("error")).isEqualTo("checkout_failed");
      assertThat(failed.text("status")).isEqualTo("CANCELLED");
      String orderId = failed.text("orderId");
      off.runtime().instance("payments-1").restart();
      off.runtime().instance("payments-2").restart();
      assertThat(
              eventually(
                  SETTLE,
                  () ->
                      !users
                          .get("/orders/" + orderId, token)
                          .body()
                          .path("compensationPending")
                          .asBoolean(true)))
          .isTrue();
      assertThat(users.get("/orders/" + orderId, token).text("status")).isEqualTo("CANCELLED");
      assertThat(ops.get("inventory", "/stock/SKU-010").body().path("available").asInt())
          .isEqualTo(1000);
      InvariantReport report = off.checkInvariants(SETTLE);
      assertThat(report.invariants()).allMatch(Invariant::holds, "holds");
      assertThat(report.figures())
          .containsEntry("orders cancelled", 1L)
          .containsEntry("charges", 0L)
          .containsEntry("units released", 3L);
    }
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code header.payload} signed ES256 with a fresh key (the header keeps the identity's kid). */
  private static String selfSigned(String header, String payload) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(g.generateKeyPair().getPrivate());
    String input = header + "." + payload;
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
  }
}
