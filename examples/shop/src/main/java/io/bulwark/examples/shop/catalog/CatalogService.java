package io.bulwark.examples.shop.catalog;

import io.bulwark.data.cache.CacheConfig;
import io.bulwark.data.cache.CacheLoader;
import io.bulwark.data.cache.InvalidationChannel;
import io.bulwark.data.cache.ReadThroughCache;
import io.bulwark.events.Serdes;
import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.Ids;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Products;
import io.bulwark.examples.shop.common.Products.Product;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.SharedEventLog;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.examples.shop.common.SqlitePool;
import io.bulwark.examples.shop.recommendations.RecommendationsService.Item;
import io.bulwark.examples.shop.recommendations.RecommendationsService.Recommendations;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.resilience.Fallback;
import io.bulwark.resilience.Pipeline;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The catalog service (2 instances): products from {@link CatalogStore} (SQLite in the service's
 * shared storage, seeded from {@code shop/products.json}), pages of {@value #PAGE_SIZE}, a product
 * with its recommendations, a search, and a price change.
 *
 * <p>Every product read goes through the instance's {@link ReadThroughCache} (bulwark-data), filled
 * with the whole assortment by one bulk load when the instance starts: concurrent misses of one sku
 * cause one load (coalescing), a page is one bulk load of its missing skus, an unknown sku is
 * remembered as absent for {@value #NEGATIVE_TTL_SECONDS} s. {@code PUT /products/{sku}/price}
 * {@code {"price":N}} writes the store, then invalidates the sku over the shared event log (topic
 * {@value #INVALIDATIONS}): it answers once the log acknowledged the invalidation, and every
 * catalog instance evicts the sku when it is delivered (an instance that may have missed
 * invalidations flushes its whole cache). {@code GET /cache/stats} answers the cache's counters.
 *
 * <p>A product page asks the recommendations service. With resilience on, that call runs through a
 * pipeline whose {@link Fallback} answers the catalog's own popular items (source {@code
 * "popular"}) whenever the call fails — including when its circuit breaker is open or its timeout
 * passed — so a product page never fails because recommendations did. With resilience off the
 * failure propagates: 502 {@code recommendations_failed}.
 */
public final class CatalogService {
  public static final int PAGE_SIZE = 20;
  static final String INVALIDATIONS = "catalog-invalidations";
  static final int NEGATIVE_TTL_SECONDS = 10;
  static final int RECOMMENDATIONS = 4;
  static final int SEARCH_LIMIT = 20;
  static final int MAX_SKU = 64;
  static final int MAX_LISTED = 50;

  /** A product as the catalog shows it. */
  public record ProductView(String sku, String name, String category, long price) {
    static ProductView of(Product p) {
      return new ProductView(p.sku(), p.name(), p.category(), p.price());
    }
  }

  /** {@code GET /products?page=N}. */
  public record Page(List<ProductView> products, int page) {}

  /** {@code GET /products/{sku}}. */
  public record ProductPage(
      ProductView product, List<Item> recommendations, String recommendationsSource) {}

  /** {@code GET /products?skus=a,b,c}: the products of those skus that exist, in that order. */
  public record Listed(List<ProductView> products) {}

  /** {@code GET /search?q=word}. */
  public record SearchResult(List<ProductView> products) {}

  private record Recs(List<Item> items, String source) {}

  /** Body of {@code PUT /products/{sku}/price}. */
  public record PriceChange(@Nullable Long price) {}

  private final Products products;
  private final CatalogStore store;
  private final ReadThroughCache<String, ProductView> cache;
  private final ServiceClient recommendations;
  private final @Nullable Pipeline fallback;

  private CatalogService(
      Products products,
      CatalogStore store,
      ReadThroughCache<String, ProductView> cache,
      ServiceClient recommendations,
      @Nullable Pipeline fallback) {
    this.products = products;
    this.store = store;
    this.cache = cache;
    this.recommendations = recommendations;
    this.fallback = fallback;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    Products products = Products.load();
    SharedEventLog.Lease log =
        SharedEventLog.acquire(Path.of(Settings.required(ctx, Settings.EVENT_LOG)));
    SqlitePool db = null;
    InvalidationChannel<String> channel = null;
    ReadThroughCache<String, ProductView> cache = null;
    ShopClients clients = null;
    try {
      db = SqlitePool.open(ctx.serviceStorage().resolve("catalog.db"), 2);
      CatalogStore store = new CatalogStore(db);
      store.init(products.all());
      channel =
          InvalidationChannel.builder(log.log(), Serdes.string())
              .topic(INVALIDATIONS)
              .instanceId(ctx.instanceId())
              .clock(ctx.clock())
              .build();
      cache = cache(ctx, store, channel);
      // warm: the whole assortment in one bulk load, so the first users read from memory
      cache.getAll(products.all().stream().map(Product::sku).toList());
      clients = ShopClients.create(ctx, List.of("recommendations"));
      CatalogService s =
          new CatalogService(
              products,
              store,
              cache,
              clients.clients().client("recommendations"),
              fallback(ctx, products));
      ServerSetup.limiter(ctx)
          .get("/products", s::page)
          .get("/products/{sku}", s::product)
          .get("/products/{sku}/price", s::price)
          .put("/products/{sku}/price", s::changePrice)
          .get("/search", s::search)
          .get("/cache/stats", req -> Response.json(s.cache.stats()));
      return ServiceInstance.of(log, db, channel, cache, clients);
    } catch (Exception | Error e) {
      Closeables.closeAfter(e, log, db, channel, cache, clients);
      throw e;
    }
  }

  private static ReadThroughCache<String, ProductView> cache(
      InstanceContext ctx, CatalogStore store, InvalidationChannel<String> channel) {
    CacheLoader<String, ProductView> loader =
        new CacheLoader<>() {
          @Override
          public @Nullable ProductView load(String sku) throws Exception {
            return store.find(sku);
          }

          @Override
          public Map<String, ProductView> loadAll(Set<? extends String> skus) throws Exception {
            return store.findAll(skus);
          }
        };
    CacheConfig config =
        CacheConfig.builder("catalog")
            .ttl(Duration.ofMinutes(5))
            .ttlJitter(0.1)
            .negativeTtl(Duration.ofSeconds(NEGATIVE_TTL_SECONDS))
            .maximumSize(10_000)
            .build();
    return ReadThroughCache.builder(config, loader)
        .clock(ctx.clock())
        .telemetry(ctx.telemetry())
        .invalidation(channel)
        .build();
  }

  private static @Nullable Pipeline fallback(InstanceContext ctx, Products products) {
    if (!Settings.resilience(ctx)) {
      return null;
    }
    return Pipeline.builder()
        .name("recommendations-fallback")
        .clock(ctx.clock())
        .with(
            Fallback.<Recs>from(
                "recommendations-fallback",
                failure -> new Recs(popularItems(products, failure), "popular")))
        .listener(ctx.resilienceListener())
        .build();
  }

  private static List<Item> popularItems(Products products, Throwable unused) {
    return products.popular(RECOMMENDATIONS, "").stream()
        .map(p -> new Item(p.sku(), p.name()))
        .toList();
  }

  private Response page(Request req) {
    String listed = req.query("skus");
    if (listed != null) {
      return Response.json(new Listed(views(skuList(listed))));
    }
    String raw = req.query("page");
    int page;
    try {
      page = raw == null ? 1 : Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw HttpProblem.badRequest(
          "query parameter page must be a number >= 1, was \"" + raw + "\"");
    }
    if (page < 1) {
      throw HttpProblem.badRequest("query parameter page must be a number >= 1, was " + page);
    }
    List<String> skus =
        products.all().stream()
            .skip((long) (page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
            .map(Product::sku)
            .toList();
    return Response.json(new Page(views(skus), page));
  }

  /** The skus of {@code ?skus=a,b,c}: 1..{@value #MAX_LISTED} ids, each checked. */
  private static List<String> skuList(String raw) {
    String[] parts = raw.split(",", -1);
    if (raw.isEmpty() || parts.length > MAX_LISTED) {
      throw HttpProblem.badRequest(
          "query parameter skus must list 1.." + MAX_LISTED + " skus, was \"" + raw + "\"");
    }
    return java.util.Arrays.stream(parts)
        .map(sku -> Ids.check(sku, "query parameter skus: sku"))
        .distinct()
        .toList();
  }

  /** The products of {@code skus} that exist, in that order, from the cache (one bulk load). */
  private List<ProductView> views(List<String> skus) {
    Map<String, ProductView> found = cache.getAll(skus);
    return skus.stream().map(found::get).filter(Objects::nonNull).toList();
  }

  private ProductView require(String sku) {
    if (sku.length() > MAX_SKU) {
      throw HttpProblem.badRequest(
          "sku must be 1.." + MAX_SKU + " characters, was " + sku.length());
    }
    ProductView p = cache.get(sku);
    if (p == null) {
      throw HttpProblem.notFound("unknown sku " + sku);
    }
    return p;
  }

  private Response price(Request req) {
    return Response.json(require(req.pathParam("sku")));
  }

  /**
   * Writes the new price, then invalidates the sku on every catalog instance; answers the product
   * as stored once the log acknowledged the invalidation (503 if it could not be published: the
   * price is written, other instances may serve the old one until their entries expire).
   */
  private Response changePrice(Request req) throws Exception {
    String sku = req.pathParam("sku");
    require(sku);
    Long price = req.bodyAs(PriceChange.class).price();
    if (price == null || price < 1) {
      throw HttpProblem.badRequest(
          "price of " + sku + " must be a whole number of cents >= 1, was " + price);
    }
    if (!store.setPrice(sku, price)) {
      throw HttpProblem.notFound("unknown sku " + sku);
    }
    try {
      cache.invalidate(sku);
    } catch (RuntimeException e) {
      throw HttpProblem.of(
          503,
          "invalidation_failed",
          "price of " + sku + " is " + price + ", but its invalidation failed: " + e.getMessage());
    }
    return Response.json(require(sku));
  }

  private Response product(Request req) throws Exception {
    ProductView p = require(req.pathParam("sku"));
    Recs recs = fallback != null ? fallback.call(() -> ask(p.sku())) : askPlain(p.sku());
    List<Item> items = recs.items().stream().filter(i -> !i.sku().equals(p.sku())).toList();
    return Response.json(new ProductPage(p, items, recs.source()));
  }

  private Recs askPlain(String sku) {
    try {
      return ask(sku);
    } catch (Exception e) {
      throw HttpProblem.of(
          502,
          "recommendations_failed",
          "recommendations for " + sku + " failed: " + e.getMessage());
    }
  }

  private Recs ask(String sku) throws Exception {
    ClientResponse r = recommendations.send(ClientRequest.get("/recommendations/" + sku));
    if (r.status() != 200) {
      throw new IllegalStateException("recommendations answered " + r.status() + " for " + sku);
    }
    return new Recs(
        Json.body(r, Recommendations.class, "GET /recommendations/" + sku).items(), "personal");
  }

  private Response search(Request req) {
    String q = req.query("q");
    if (q == null || q.isBlank()) {
      throw HttpProblem.badRequest("query parameter q is required");
    }
    String needle = q.toLowerCase(Locale.ROOT);
    List<String> found =
        products.all().stream()
            .filter(
                p ->
                    p.name().toLowerCase(Locale.ROOT).contains(needle)
                        || p.category().toLowerCase(Locale.ROOT).contains(needle))
            .limit(SEARCH_LIMIT)
            .map(Product::sku)
            .toList();
    return Response.json(new SearchResult(views(found)));
  }
}
