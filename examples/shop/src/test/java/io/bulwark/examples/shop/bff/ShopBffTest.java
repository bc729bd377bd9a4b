package io.bulwark.examples.shop.bff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.ShopOptions;
import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Products;
import io.bulwark.runtime.RuntimeListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web and mobile BFFs in the running shop (resilience on), called over loopback as the
 * storefront and a phone would: whole pages, the smaller mobile payload, checkout and order status
 * through the BFF, hostile input, an unknown sku failing the page, and recommendations down leaving
 * the product page partial with the popular items.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShopBffTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The customer the calls act for unless they name one (as the gateway's header would). */
  static final String CUSTOMER = "carol";

  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path dir;
  static Shop shop;

  @BeforeAll
  static void start() {
    shop = Shop.start(new ShopOptions(true, 42, dir, 0), new RuntimeListener() {});
  }

  @AfterAll
  static void stop() {
    shop.close();
  }

  record Answer(int status, String text, JsonNode body) {}

  static Answer call(String service, String method, String path, String json, String... headers)
      throws Exception {
    URI uri = shop.baseUri(service).resolve(path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
    boolean named = false;
    for (int i = 0; i < headers.length; i += 2) {
      named |= headers[i].equals(Customer.HEADER);
      if (!headers[i + 1].isEmpty()) {
        b.header(headers[i], headers[i + 1]);
      }
    }
    if (!named) {
      b.header(Customer.HEADER, CUSTOMER); // what the gateway's customer routes set
    }
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("content-type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (java.io.IOException e) {
      body = JSON.nullNode();
    }
    return new Answer(r.statusCode(), r.body(), body == null ? JSON.nullNode() : body);
  }

  static Answer get(String service, String path) throws Exception {
    return call(service, "GET", path, null);
  }

  /**
   * The page at {@code path} once it is whole ({@code partial} empty), asked again while it is not:
   * on a busy machine the first call to a cold recommendations instance can pass its 400 ms
   * deadline, and that page is (correctly) partial. At most 30 s.
   */
  static Answer whole(String service, String path) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Answer a = get(service, path);
      if (a.status() != 200 || a.body().path("partial").isEmpty()) {
        return a;
      }
      assertThat(System.nanoTime() - end).as(path + " stayed partial: " + a.text()).isNegative();
      Thread.sleep(50); // the next page asks recommendations anew; nothing else to wait on
    }
  }

  static List<String> skus(JsonNode list) {
    return StreamSupport.stream(list.spliterator(), false)
        .map(n -> n.path("sku").asText())
        .toList();
  }

  static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void webProductPageIsWholeAndRicherThanMobiles() throws Exception {
    assertThat(
            call(
                    "web-bff",
                    "POST",
                    "/web/api/cart/bff-c1/items",
                    "{\"sku\":\"SKU-007\",\"quantity\":2}")
                .status())
        .isEqualTo(200);
    Answer web = whole("web-bff", "/web/api/products/SKU-003?cart=bff-c1");
    assertThat(web.status()).as(web.text()).isEqualTo(200);
    JsonNode p = web.body().path("product");
    Products.Product seed = Products.load().find("SKU-003").orElseThrow();
    assertThat(p.path("sku").asText()).isEqualTo("SKU-003");
    assertThat(p.path("name").asText()).isEqualTo(seed.name());
    assertThat(p.path("category").asText()).isEqualTo(seed.category());
    assertThat(p.path("images")).hasSize(3);
    assertThat(web.body().path("recommendationsSource").asText()).isEqualTo("personal");
    assertThat(skus(web.body().path("recommendations"))).hasSize(4).doesNotContain("SKU-003");
    assertThat(web.body().path("partial")).isEmpty();
    assertThat(web.body().path("cart").path("items").asInt()).isEqualTo(2);
    // the recommendations are the recommendations service's own
    Answer recs = get("recommendations", "/recommendations/SKU-003");
    assertThat(skus(web.body().path("recommendations")))
        .containsExactlyElementsOf(skus(recs.body().path("items")));

    Answer mobile = whole("mobile-bff", "/mobile/api/products/SKU-003?cart=bff-c1");
    assertThat(mobile.status()).as(mobile.text()).isEqualTo(200);
    JsonNode m = mobile.body().path("product");
    assertThat(names(m)).containsExactlyInAnyOrder("sku", "name", "price", "stock", "image");
    assertThat(m.path("price").asLong()).isEqualTo(p.path("price").asLong());
    assertThat(mobile.body().path("recommendations")).hasSize(Pages.MOBILE_RECOMMENDATIONS);
    assertThat(mobile.body().path("cartCount").asInt()).isEqualTo(2);
    assertThat(mobile.text().length()).isLessThan(web.text().length() / 2);
  }

  @Test
  void homePagesListTheCatalogsFirstPageWebAllMobileTen() throws Exception {
    Answer web = get("web-bff", "/web/api/home");
    Answer catalog = get("catalog", "/products?page=1");
    assertThat(web.status()).as(web.text()).isEqualTo(200);
    assertThat(skus(web.body().path("products")))
        .containsExactlyElementsOf(skus(catalog.body().path("products")))
        .hasSize(20);
    assertThat(web.body().path("cart").isNull()).isTrue();
    Answer mobile = get("mobile-bff", "/mobile/api/home?page=2");
    assertThat(skus(mobile.body().path("products")))
        .containsExactlyElementsOf(
            skus(get("catalog", "/products?page=2").body().path("products")).subList(0, 10));
  }

  @Test
  void aRequestWhoseDeadlineHasPassedIsAnswered504WithoutRunning() throws Exception {
    String add = "{\"sku\":\"SKU-030\",\"quantity\":1}";
    Answer late =
        call("web-bff", "POST", "/web/api/cart/bff-c6/items", add, "bulwark-deadline", "0");
    assertThat(late.status()).as(late.text()).isEqualTo(504);
    assertThat(get("web-bff", "/web/api/cart/bff-c6").body().path("lines")).isEmpty();
    // the control: the same add with time to spare is done
    Answer inTime =
        call("web-bff", "POST", "/web/api/cart/bff-c6/items", add, "bulwark-deadline", "20000");
    assertThat(inTime.status()).as(inTime.text()).isEqualTo(200);
    assertThat(skus(get("web-bff", "/web/api/cart/bff-c6").body().path("lines")))
        .containsExactly("SKU-030");
  }

  @Test
  void cartPageNamesItsLinesAndTotalsThem() throws Exception {
    call("web-bff", "POST", "/web/api/cart/bff-c2/items", "{\"sku\":\"SKU-010\",\"quantity\":3}");
    call("web-bff", "POST", "/web/api/cart/bff-c2/items", "{\"sku\":\"SKU-011\",\"quantity\":1}");
    Answer page = whole("web-bff", "/web/api/cart/bff-c2");
    assertThat(page.status()).as(page.text()).isEqualTo(200);
    JsonNode lines = page.body().path("lines");
    assertThat(skus(lines)).containsExactly("SKU-010", "SKU-011");
    long p10 = get("catalog", "/products/SKU-010/price").body().path("price").asLong();
    long p11 = get("catalog", "/products/SKU-011/price").body().path("price").asLong();
    assertThat(lines.get(0).path("name").asText())
        .isEqualTo(Products.load().find("SKU-010").orElseThrow().name());
    assertThat(lines.get(0).path("lineTotal").asLong()).isEqualTo(3 * p10);
    assertThat(page.body().path("total").asLong()).isEqualTo(3 * p10 + p11);
    assertThat(page.body().path("partial")).isEmpty();
    Answer mobile = get("mobile-bff", "/mobile/api/cart/bff-c2");
    assertThat(mobile.body().path("total").asLong()).isEqualTo(3 * p10 + p11);
    assertThat(names(mobile.body().path("lines").get(0)))
        .containsExactlyInAnyOrder("sku", "quantity", "price");
    Answer empty = get("web-bff", "/web/api/cart/never-used");
    assertThat(empty.status()).isEqualTo(200);
    assertThat(empty.body().path("lines")).isEmpty();
    assertThat(empty.body().path("total").asLong()).isZero();
  }

  @Test
  void checkoutThroughTheBffMakesOneOrderAndShowsItsStatus() throws Exception {
    call("web-bff", "POST", "/web/api/cart/bff-c3/items", "{\"sku\":\"SKU-020\",\"quantity\":1}");
    String body = "{\"cartId\":\"bff-c3\",\"customer\":\"carol\"}";
    Answer first = call("web-bff", "POST", "/web/api/checkout", body, "Idempotency-Key", "bff-k3");
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    String orderId = first.body().path("orderId").asText();
    Answer again = call("web-bff", "POST", "/web/api/checkout", body, "Idempotency-Key", "bff-k3");
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.body().path("orderId").asText()).isEqualTo(orderId);
    Answer order = get("mobile-bff", "/mobile/api/orders/" + orderId);
    assertThat(order.status()).as(order.text()).isEqualTo(200);
    assertThat(order.body().path("status").asText()).isEqualTo("CONFIRMED");
    Answer noKey = call("web-bff", "POST", "/web/api/checkout", body);
    assertThat(noKey.status()).isEqualTo(400);
    assertThat(noKey.text()).contains("Idempotency-Key");
  }

  @Test
  void aCheckoutActsForTheHeadersCustomerOnlyAndKeepsItsKey() throws Exception {
    call(
        "web-bff",
        "POST",
        "/web/api/cart/bff-c5/items",
        "{\"sku\":\"SKU-021\",\"quantity\":1}",
        Customer.HEADER,
        "dave");
    Answer named =
        call(
            "web-bff",
            "POST",
            "/web/api/checkout",
            "{\"cartId\":\"bff-c5\",\"customer\":\"mallory\"}",
            "Idempotency-Key",
            "bff-k5",
            Customer.HEADER,
            "dave");
    assertThat(named.status()).as(named.text()).isEqualTo(403);
    assertThat(named.text()).contains("customer_mismatch", "'mallory'", "'dave'");
    Answer first =
        call(
            "web-bff",
            "POST",
            "/web/api/checkout",
            "{\"cartId\":\"bff-c5\",\"customer\":\"dave\"}",
            "Idempotency-Key",
            "bff-k5",
            Customer.HEADER,
            "dave");
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    // the key's order belongs to dave: replayed as dave it answers the order, as mallory 422
    Answer asDave =
        call(
            "mobile-bff",
            "POST",
            "/mobile/api/checkout",
            "{\"cartId\":\"bff-c5\"}",
            "Idempotency-Key",
            "bff-k5",
            Customer.HEADER,
            "dave");
    assertThat(asDave.status()).as(asDave.text()).isEqualTo(200);
    assertThat(asDave.body().path("orderId").asText())
        .isEqualTo(first.body().path("orderId").asText());
    Answer asMallory =
        call(
            "web-bff",
            "POST",
            "/web/api/checkout",
            "{\"cartId\":\"bff-c5\"}",
            "Idempotency-Key",
            "bff-k5",
            Customer.HEADER,
            "mallory");
    assertThat(asMallory.status()).isEqualTo(422);
    assertThat(asMallory.text()).contains("dave").contains("mallory");
    for (String[] anonymous :
        new String[][] {
          {"POST", "/web/api/checkout", "{\"cartId\":\"bff-c5\",\"customer\":\"dave\"}"},
          {"POST", "/mobile/api/cart/bff-c5/items", "{\"sku\":\"SKU-021\",\"quantity\":1}"},
          {"GET", "/web/api/cart/bff-c5", null}
        }) {
      Answer nobody =
          call(
              anonymous[1].startsWith("/web") ? "web-bff" : "mobile-bff",
              anonymous[0],
              anonymous[1],
              anonymous[2],
              "Idempotency-Key",
              "bff-k6",
              Customer.HEADER,
              "");
      assertThat(nobody.status()).as(anonymous[1]).isEqualTo(401);
      assertThat(nobody.text()).contains("customer_required", Customer.HEADER);
    }
    Answer other =
        call("mobile-bff", "GET", "/mobile/api/cart/bff-c5", null, Customer.HEADER, "mallory");
    assertThat(other.status()).as(other.text()).isEqualTo(403);
    assertThat(other.text()).contains("cart_forbidden", "bff-c5");
  }

  @Test
  void hostileOrUnknownInputIsRefusedNamingTheValue() throws Exception {
    Answer unknown = get("web-bff", "/web/api/products/SKU-999");
    assertThat(unknown.status()).as(unknown.text()).isEqualTo(404);
    assertThat(unknown.text()).contains("catalog_not_found").contains("SKU-999");
    Answer traversal = get("web-bff", "/web/api/products/SKU-001%2F..%2Fprice");
    assertThat(traversal.status()).isEqualTo(400);
    assertThat(traversal.text()).contains("sku");
    Answer tooLong = get("mobile-bff", "/mobile/api/products/" + "A".repeat(65));
    assertThat(tooLong.status()).isEqualTo(400);
    Answer cart = get("web-bff", "/web/api/products/SKU-001?cart=a%26b");
    assertThat(cart.status()).isEqualTo(400);
    assertThat(cart.text()).contains("query parameter cart").contains("a&b");
    for (String page : List.of("0", "-1", "abc", "1001", "99999999999")) {
      Answer a = get("web-bff", "/web/api/home?page=" + page);
      assertThat(a.status()).as(page).isEqualTo(400);
      assertThat(a.text()).contains("page").contains(page);
    }
    Answer badBody =
        call(
            "web-bff",
            "POST",
            "/web/api/cart/bff-c4/items",
            "{\"sku\":\"SKU-001\",\"quantity\":0}");
    assertThat(badBody.status()).isEqualTo(400);
    assertThat(badBody.text()).contains("quantity");
  }

  @Test
  void storefrontPageAndPicturesAreServed() throws Exception {
    Answer html = get("web-bff", "/web");
    assertThat(html.status()).isEqualTo(200);
    assertThat(html.text()).contains("<script src=\"/web/static/app.js\">");
    assertThat(get("web-bff", "/web/static/app.js").text()).contains("/web/api");
    assertThat(get("web-bff", "/web/static/style.css").status()).isEqualTo(200);
    Answer svg = get("web-bff", "/web/img/SKU-001?view=2&size=large");
    assertThat(svg.status()).isEqualTo(200);
    assertThat(svg.text()).startsWith("<svg").contains("CK"); // Chef Knife
    assertThat(get("web-bff", "/web/index.html").text()).isEqualTo(html.text());
    assertThat(get("mobile-bff", "/web").status()).isEqualTo(404);
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: the recommendations instance comes back on a new port
  void recommendationsDownLeaveTheProductPagePartialWithPopularItems() throws Exception {
    List<String> popular =
        Products.load().popular(BffService.RECOMMENDATIONS, "SKU-005").stream()
            .map(Products.Product::sku)
            .toList();
    shop.runtime().instance("recommendations-1").kill();
    try {
      for (String[] bff :
          List.of(new String[] {"web-bff", "/web"}, new String[] {"mobile-bff", "/mobile"})) {
        Answer page = get(bff[0], bff[1] + "/api/products/SKU-005");
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        assertThat(page.body().path("product").path("sku").asText()).isEqualTo("SKU-005");
        assertThat(page.body().path("recommendationsSource").asText()).isEqualTo("popular");
        assertThat(page.body().path("partial").toString()).isEqualTo("[\"recommendations\"]");
        assertThat(popular).containsAll(skus(page.body().path("recommendations")));
      }
      Answer web = get("web-bff", "/web/api/products/SKU-005");
      assertThat(skus(web.body().path("recommendations"))).containsExactlyElementsOf(popular);
    } finally {
      shop.runtime().instance("recommendations-1").restart();
    }
  }
}
