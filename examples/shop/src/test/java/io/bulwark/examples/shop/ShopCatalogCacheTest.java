package io.bulwark.examples.shop;

import static io.bulwark.examples.shop.ShopCalls.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.runtime.RuntimeListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's cache (bulwark-data) in the running shop, instance by instance: reads move its hit
 * and miss counters, concurrent reads of a cold sku load it once, and a price change on one catalog
 * instance evicts the sku on the other over the shared event log. One shop for all tests, each on
 * its own skus.
 */
class ShopCatalogCacheTest {
  static final Duration SETTLE = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static Shop shop;
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    shop = Shop.start(new ShopOptions(true, 42, dir, 0), new RuntimeListener() {});
  }

  @AfterAll
  static void stop() {
    shop.close();
  }

  static URI at(String instance, String path) {
    return URI.create("http://127.0.0.1:" + shop.runtime().instance(instance).port() + path);
  }

  static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode get(String instance, String path) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(at(instance, path)).GET());
    assertThat(r.statusCode()).as(instance + " GET " + path + ": " + r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static HttpResponse<String> putPrice(String instance, String sku, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(at(instance, "/products/" + sku + "/price"))
            .header("content-type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  static long stat(String instance, String counter) throws Exception {
    return get(instance, "/cache/stats").path(counter).asLong(-1);
  }

  /** Makes {@code sku} cold on every catalog instance (each starts with the whole assortment). */
  static void evict(String sku) throws Exception {
    long applied = stat("catalog-2", "invalidations");
    long price = get("catalog-1", "/products/" + sku + "/price").path("price").asLong();
    assertThat(putPrice("catalog-1", sku, "{\"price\":" + price + "}").statusCode()).isEqualTo(200);
    assertThat(
            eventually(
                SETTLE,
                () -> {
                  try {
                    return stat("catalog-2", "invalidations") > applied;
                  } catch (Exception e) {
                    return false;
                  }
                }))
        .as("catalog-2 applied the invalidation of " + sku)
        .isTrue();
  }

  @Test
  void everyInstanceStartsWithTheWholeAssortmentLoadedInOneBulkLoad() throws Exception {
    for (String instance : List.of("catalog-1", "catalog-2")) {
      assertThat(stat(instance, "loads")).as(instance).isGreaterThanOrEqualTo(1);
    }
    long misses = stat("catalog-2", "misses");
    get("catalog-2", "/products?page=2");
    get("catalog-2", "/products?page=3");
    assertThat(stat("catalog-2", "misses")).as("pages read from memory").isEqualTo(misses);
  }

  @Test
  void readsMoveTheHitAndMissCounters() throws Exception {
    evict("SKU-011");
    long misses = stat("catalog-2", "misses");
    long hits = stat("catalog-2", "hits");
    get("catalog-2", "/products/SKU-011/price");
    assertThat(stat("catalog-2", "misses")).as("a cold read").isEqualTo(misses + 1);
    get("catalog-2", "/products/SKU-011/price");
    get("catalog-2", "/products/SKU-011/price");
    assertThat(stat("catalog-2", "hits")).as("warm reads").isEqualTo(hits + 2);
    assertThat(stat("catalog-2", "misses")).isEqualTo(misses + 1);
  }

  @Test
  void concurrentReadsOfAColdSkuLoadItOnce() throws Exception {
    evict("SKU-012");
    long loads = stat("catalog-2", "loads");
    long reads = stat("catalog-2", "hits") + stat("catalog-2", "misses");
    List<Future<JsonNode>> answers = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 40; i++) {
        answers.add(pool.submit(() -> get("catalog-2", "/products/SKU-012/price")));
      }
    }
    for (Future<JsonNode> a : answers) {
      assertThat(a.get().path("sku").asText()).isEqualTo("SKU-012");
    }
    assertThat(stat("catalog-2", "loads")).as("one load for 40 reads").isEqualTo(loads + 1);
    assertThat(stat("catalog-2", "hits") + stat("catalog-2", "misses")).isEqualTo(reads + 40);
  }

  @Test
  void aPriceChangeOnOneInstanceEvictsTheSkuOnTheOther() throws Exception {
    long old = get("catalog-2", "/products/SKU-013/price").path("price").asLong();
    get("catalog-2", "/products/SKU-013/price"); // cached on catalog-2 now
    long invalidations = stat("catalog-2", "invalidations");
    long price = old + 100;

    HttpResponse<String> changed = putPrice("catalog-1", "SKU-013", "{\"price\":" + price + "}");
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(changed.body()).path("price").asLong()).isEqualTo(price);
    assertThat(get("catalog-1", "/products/SKU-013/price").path("price").asLong()).isEqualTo(price);

    assertThat(
            eventually(
                SETTLE,
                () -> {
                  try {
                    return stat("catalog-2", "invalidations") > invalidations;
                  } catch (Exception e) {
                    return false;
                  }
                }))
        .as("catalog-2 applied the invalidation")
        .isTrue();
    assertThat(get("catalog-2", "/products/SKU-013/price").path("price").asLong())
        .as("no stale read after the invalidation was applied")
        .isEqualTo(price);
  }

  @Test
  void badPriceChangesAreRefusedNamingTheValueAndChangeNothing() throws Exception {
    long before = get("catalog-1", "/products/SKU-014/price").path("price").asLong();
    HttpResponse<String> negative = putPrice("catalog-1", "SKU-014", "{\"price\":-5}");
    assertThat(negative.statusCode()).isEqualTo(400);
    assertThat(negative.body()).contains("SKU-014").contains("-5");
    HttpResponse<String> missing = putPrice("catalog-1", "SKU-014", "{}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("was null");
    HttpResponse<String> unknown = putPrice("catalog-1", "SKU-999", "{\"price\":100}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("SKU-999");
    assertThat(get("catalog-2", "/products/SKU-014/price").path("price").asLong())
        .isEqualTo(before);
    assertThat(get("catalog-1", "/products/SKU-014/price").path("price").asLong())
        .isEqualTo(before);
  }
}
