package io.bulwark.examples.shop.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.core.time.Clock;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.examples.shop.Shop;
import io.bulwark.examples.shop.ShopOptions;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.runtime.RuntimeListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog as a CQRS projection in the running shop: a price changed by an event on the log
 * shows on the web BFF's product page; the same event republished, a bad record and a second
 * CREATED change nothing; a stock change through the catalog's API shows on both BFFs; and a replay
 * from offset 0 into an empty store rebuilds exactly the live model.
 */
class ShopCatalogProjectionTest {
  static final Duration SETTLE = Duration.ofSeconds(30);
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path dir;
  static Shop shop;
  static SharedEventLog.Lease log;
  static Producer producer;

  @BeforeAll
  static void start() {
    ShopOptions options = new ShopOptions(true, 7, dir, 0);
    shop = Shop.start(options, new RuntimeListener() {});
    log = SharedEventLog.acquire(Shop.eventLogDirectory(options));
    producer = log.log().producer(ProducerConfig.defaults());
  }

  @AfterAll
  static void stop() {
    producer.close();
    log.close();
    shop.close();
  }

  static JsonNode get(String service, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(shop.baseUri(service).resolve(path))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(service + " " + path + ": " + r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  static HttpResponse<String> put(String instance, String path, String json) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + shop.runtime().instance(instance).port() + path);
    return HTTP.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static RecordMetadata publish(String sku, String json) throws Exception {
    return producer
        .send(
            OutgoingRecord.builder(CatalogProjection.TOPIC)
                .key(sku)
                .value(json.getBytes(StandardCharsets.UTF_8))
                .build())
        .get(20, TimeUnit.SECONDS);
  }

  /**
   * Waits until the projection has applied every record up to {@code last} (its offsets, which the
   * catalog answers, passed it): the record's own arrival is the signal, no timed guess.
   */
  static void awaitProjected(RecordMetadata last) throws Exception {
    awaitPage(
        "catalog",
        "/projection",
        p -> p.path("offsets").path(Integer.toString(last.partition())).asLong(-1) > last.offset());
  }

  /** Asks {@code path} until {@code condition} holds on its answer, at most {@link #SETTLE}. */
  static JsonNode awaitPage(String service, String path, Predicate<JsonNode> condition)
      throws Exception {
    long end = System.nanoTime() + SETTLE.toNanos();
    long pause = 5;
    while (true) {
      JsonNode page = get(service, path);
      if (condition.test(page)) {
        return page;
      }
      assertThat(System.nanoTime() - end).as(path + " never satisfied; last " + page).isNegative();
      TimeUnit.MILLISECONDS.sleep(pause); // state behind an HTTP API gives no signal
      pause = Math.min(100, pause * 2);
    }
  }

  static String event(String id, String type, String sku, String fields) {
    return "{\"eventId\":\""
        + id
        + "\",\"type\":\""
        + type
        + "\",\"sku\":\""
        + sku
        + "\""
        + fields
        + "}";
  }

  @Test
  void aPriceChangedByEventShowsOnTheProductPageOnceAndOnlyOnce() throws Exception {
    JsonNode before = get("web-bff", "/web/api/products/SKU-030");
    long old = before.path("product").path("price").asLong();
    long price = old + 1234;
    String changed = event("t-price-30", "PRICE_CHANGED", "SKU-030", ",\"price\":" + price);
    publish("SKU-030", changed);
    JsonNode page =
        awaitPage(
            "web-bff",
            "/web/api/products/SKU-030",
            p -> p.path("product").path("price").asLong() == price);
    assertThat(page.path("product").path("name").asText())
        .isEqualTo(before.path("product").path("name").asText());
    assertThat(
            get("mobile-bff", "/mobile/api/products/SKU-030")
                .path("product")
                .path("price")
                .asLong())
        .isEqualTo(price);

    // the same event again, a record that is no event, a second CREATED with other fields,
    // then a marker: once the marker is projected, the three before it were seen and skipped
    publish("SKU-030", changed);
    publish("SKU-030", "garbage");
    publish(
        "SKU-030",
        event(
            "t-create-30",
            "CREATED",
            "SKU-030",
            ",\"name\":\"Other\",\"category\":\"x\",\"price\":1,\"stock\":\"low\""));
    RecordMetadata marker =
        publish("SKU-030", event("t-stock-30", "STOCK_CHANGED", "SKU-030", ",\"stock\":\"low\""));
    awaitProjected(marker);
    // the page reads through the catalog's cache, whose invalidation follows the projection
    JsonNode after =
        awaitPage(
                "web-bff",
                "/web/api/products/SKU-030",
                p -> p.path("product").path("stock").asText().equals("low"))
            .path("product");
    assertThat(after.path("price").asLong()).isEqualTo(price);
    assertThat(after.path("stock").asText()).isEqualTo("low");
    assertThat(after.path("name").asText()).isEqualTo(before.path("product").path("name").asText());
    try (SqlitePool db = SqlitePool.open(liveFile(), 1)) {
      // CREATED, PRICE_CHANGED, STOCK_CHANGED: version 3, however often each was delivered
      assertThat(new CatalogStore(db).snapshot().get("SKU-030")).endsWith("|" + price + "|low|v3");
    }
  }

  @Test
  void aStockChangeThroughTheCatalogIsReadBackAtOnceOnEveryInstance() throws Exception {
    get("catalog", "/products/SKU-031/price");
    HttpResponse<String> r =
        put("catalog-1", "/products/SKU-031/stock", "{\"stock\":\"out_of_stock\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(r.body()).path("stock").asText()).isEqualTo("out_of_stock");
    awaitPage(
        "web-bff",
        "/web/api/products/SKU-031",
        p -> p.path("product").path("stock").asText().equals("out_of_stock"));
    HttpResponse<String> bad =
        put("catalog-2", "/products/SKU-031/stock", "{\"stock\":\"plenty\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("SKU-031").contains("plenty").contains("in_stock");
    HttpResponse<String> traversal =
        put("catalog-2", "/products/SKU-0%2F1/stock", "{\"stock\":\"low\"}");
    assertThat(traversal.statusCode()).isEqualTo(400);
  }

  @Test
  void aReplayFromOffsetZeroRebuildsTheSameModel() throws Exception {
    put("catalog-2", "/products/SKU-040/price", "{\"price\":4040}");
    put("catalog-1", "/products/SKU-041/stock", "{\"stock\":\"low\"}");
    try (SqlitePool live = SqlitePool.open(liveFile(), 1);
        SqlitePool fresh = SqlitePool.open(dir.resolve("replay.db"), 1)) {
      CatalogStore liveStore = new CatalogStore(live);
      CatalogStore rebuilt = new CatalogStore(fresh);
      rebuilt.init();
      Map<Integer, Long> upTo = liveStore.offsets();
      Map<String, String> expected = liveStore.snapshot();
      assertThat(expected).hasSize(60).containsKey("SKU-040");
      assertThat(expected.get("SKU-040")).contains("|4040|");
      CatalogProjection.replay(log.log(), rebuilt, upTo, SETTLE, Clock.system());
      assertThat(rebuilt.offsets()).isEqualTo(upTo);
      // a write landing in between could move the live model on: compare at the same offsets
      assertThat(liveStore.offsets()).isEqualTo(upTo);
      assertThat(rebuilt.snapshot()).isEqualTo(expected);
    }
  }

  static Path liveFile() {
    return dir.resolve("catalog").resolve("shared").resolve("catalog.db");
  }
}
