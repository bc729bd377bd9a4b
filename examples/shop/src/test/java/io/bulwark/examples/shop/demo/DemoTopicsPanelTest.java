package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.ShopOptions;
import io.bulwark.examples.shop.common.Customer;
import io.bulwark.runtime.RuntimeListener;
import io.bulwark.runtime.dashboard.Dashboard;
import io.bulwark.test.VirtualScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo dashboard's topics panel on the real shop: the orders topic as read by shipping shows
 * with its lag (not "not in this system"), before the first order and after a checkout whose event
 * shipping has processed and committed.
 */
class DemoTopicsPanelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void theShopsTopicsShowWithTheirLag() throws Exception {
    try (Shop shop = Shop.start(new ShopOptions(true, 42, dir, 0), new RuntimeListener() {});
        HttpClient http = HttpClient.newHttpClient();
        Dashboard d =
            Dashboard.builder(shop.runtime())
                .scheduler(new VirtualScheduler())
                .statsFedByCaller()
                .topics(DemoDashboard.topics(shop))
                .build()
                .start()) {
      d.tick();
      JsonNode before = get(http, d, "api/topics");
      assertThat(before.get("available").asBoolean()).isTrue();
      assertThat(before.path("error").isMissingNode()).as(before.toString()).isTrue();
      List<JsonNode> rows = ordersByShipping(before.get("list"));
      assertThat(rows).hasSize(2); // orders has two partitions, read by shipping
      // groups that have committed show too: the catalog's projection of the product events,
      // caught up by the time the shop is ready
      List<JsonNode> projection = new ArrayList<>();
      before
          .get("list")
          .forEach(
              r -> {
                if (r.get("group").asText().equals("catalog-projection")) {
                  projection.add(r);
                }
              });
      assertThat(projection).as(before.toString()).isNotEmpty();
      for (JsonNode r : projection) {
        assertThat(r.get("topic").asText()).isEqualTo("product-events");
        assertThat(r.get("lag").asLong()).isZero();
      }
      for (JsonNode r : rows) {
        assertThat(r.get("topic").asText()).isEqualTo("orders");
        assertThat(r.get("group").asText()).isEqualTo("shipping");
        assertThat(r.get("endOffset").asLong()).isZero();
        assertThat(r.get("lag").asLong()).isZero();
      }

      post(http, shop, "cart", "/carts/c1/items", "{\"sku\":\"SKU-001\",\"quantity\":1}", "");
      int status = post(http, shop, "orders", "/checkout", "{\"cartId\":\"c1\"}", "key-1");
      assertThat(status).isEqualTo(201);

      // the order's events reach the topic and shipping commits past them: end > 0, lag 0
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      List<JsonNode> after;
      while (true) {
        d.tick();
        after = ordersByShipping(get(http, d, "api/topics").get("list"));
        long end = after.get(0).get("endOffset").asLong() + after.get(1).get("endOffset").asLong();
        long lag = after.get(0).get("lag").asLong() + after.get(1).get("lag").asLong();
        if (end > 0 && lag == 0) {
          break;
        }
        assertThat(System.nanoTime() - deadline)
            .as("waiting for shipping to commit past the order's events: %s", after)
            .isNegative();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
      for (JsonNode r : after) {
        if (r.get("endOffset").asLong() > 0) {
          assertThat(r.get("committed").asLong()).isEqualTo(r.get("endOffset").asLong());
        }
      }
    }
  }

  /** The rows of the orders topic as read by shipping. */
  private static List<JsonNode> ordersByShipping(JsonNode list) {
    List<JsonNode> rows = new ArrayList<>();
    list.forEach(
        r -> {
          if (r.get("topic").asText().equals("orders")
              && r.get("group").asText().equals("shipping")) {
            rows.add(r);
          }
        });
    return rows;
  }

  private static JsonNode get(HttpClient http, Dashboard d, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(d.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static int post(
      HttpClient http, Shop shop, String service, String path, String json, String key)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(shop.baseUri(service).resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (!key.isEmpty()) {
      b.header("Idempotency-Key", key);
    }
    b.header(Customer.HEADER, "alice"); // what the gateway's customer routes set
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
