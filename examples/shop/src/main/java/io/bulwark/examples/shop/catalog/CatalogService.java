package io.bulwark.examples.shop.catalog;

import io.bulwark.core.time.Clock;
import io.bulwark.data.cache.CacheConfig;
import io.bulwark.data.cache.CacheLoader;
import io.bulwark.data.cache.InvalidationChannel;
import io.bulwark.data.cache.ReadThroughCache;
import io.bulwark.events.Consumer;
import io.bulwark.events.OutgoingRecord;
import io.bulwark.events.Producer;
import io.bulwark.events.ProducerConfig;
import io.bulwark.events.RecordMetadata;
import io.bulwark.events.Serdes;
import io.bulwark.events.TopicSpec;
import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.ConsumerLoop;
import io.bulwark.examples.shop.common.Ids;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Pause;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The catalog service (2 instances), a CQRS read side: products are what {@link CatalogProjection}
 * built from the product events ({@link ProductEvent} on topic {@value CatalogProjection#TOPIC} of
 * the shared event log) into {@link CatalogStore} (SQLite in the service's shared storage). An
 * instance seeds the shipped products as {@code CREATED} events (fixed ids: applied once however
 * often seeded) and starts once the projection holds them all. Pages of {@value #PAGE_SIZE}, {@code
 * ?skus=a,b}, a product with its recommendations, a search.
 *
 * <p>Every product read goes through the instance's {@link ReadThroughCache} (bulwark-data), filled
 * with the whole assortment by one bulk load when the instance starts: concurrent misses of one sku
 * cause one load (coalescing), a page is one bulk load of its missing skus, an unknown sku is
 * remembered as absent for {@value #NEGATIVE_TTL_SECONDS} s. When the projection changes a product
 * it invalidates the sku over the shared event log (topic {@value #INVALIDATIONS}) and every
 * catalog instance evicts it when delivered (an instance that may have missed invalidations flushes
 * its whole cache). {@code PUT /products/{sku}/price} {@code {"price":N}} and {@code PUT
 * /products/{sku}/stock} {@code {"stock":"in_stock|low|out_of_stock"}} publish an event and answer
 * the product once it is applied and evicted here (read-your-writes; 202 with the event id after
 * {@link #APPLY_WAIT}). {@code GET /projection} answers the projection's next offsets, {@code GET
 * /cache/stats} the cache's counters.
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
  static final Duration SEED_WAIT = Duration.ofSeconds(30);
  static final Duration APPLY_WAIT = Duration.ofSeconds(5);

  /**
   * A product as the catalog shows it; {@code stock} one of {@link ProductEvent#STOCK_STATUSES}.
   */
  public record ProductView(String sku, String name, String category, long price, String stock) {}

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

  /** Body of {@code PUT /products/{sku}/stock}. */
  public record StockChange(@Nullable String stock) {}

  /** Answer of a change not yet visible when the wait for it ended (202). */
  public record Accepted(String sku, String eventId, String status) {}

  private final Products products;
  private final CatalogStore store;
  private final ReadThroughCache<String, ProductView> cache;
  private final InvalidationChannel<String> channel;
  private final Producer producer;
  private final Clock clock;
  private final ServiceClient recommendations;
  private final @Nullable Pipeline fallback;

  private CatalogService(
      Products products,
      CatalogStore store,
      ReadThroughCache<String, ProductView> cache,
      InvalidationChannel<String> channel,
      Producer producer,
      Clock clock,
      ServiceClient recommendations,
      @Nullable Pipeline fallback) {
    this.products = products;
    this.store = store;
    this.cache = cache;
    this.channel = channel;
    this.producer = producer;
    this.clock = clock;
    this.recommendations = recommendations;
    this.fallback = fallback;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) throws Exception {
    Products products = Products.load();
    SharedEventLog.Lease log = SharedEventLog.acquire(Settings.required(ctx, Settings.EVENT_LOG));
    SqlitePool db = null;
    InvalidationChannel<String> channel = null;
    ReadThroughCache<String, ProductView> cache = null;
    ShopClients clients = null;
    Producer producer = null;
    Consumer consumer = null;
    ConsumerLoop loop = null;
    try {
      log.log().createTopic(TopicSpec.of(CatalogProjection.TOPIC, CatalogProjection.PARTITIONS));
      db = SqlitePool.open(ctx.serviceStorage().resolve("catalog.db"), 2);
      CatalogStore store = new CatalogStore(db);
      store.init();
      producer = log.log().producer(ProducerConfig.defaults());
      channel =
          InvalidationChannel.builder(log.log(), Serdes.string())
              .topic(INVALIDATIONS)
              .instanceId(ctx.instanceId())
              .clock(ctx.clock())
              .build();
      cache = cache(ctx, store, channel);
      // the projector: this instance's share of the product events' partitions
      consumer = CatalogProjection.consumer(log.log(), CatalogProjection.GROUP);
      loop = new ConsumerLoop(ctx.instanceId() + "-projection", consumer, ctx::stopping);
      CatalogProjection projection = new CatalogProjection(store, cache);
      ConsumerLoop l = loop;
      ctx.background("projection", () -> projection.run(ctx.instanceId(), l));
      seed(products, store, producer, ctx.clock());
      // warm: the whole assortment in one bulk load, so the first users read from memory
      cache.getAll(products.all().stream().map(Product::sku).toList());
      clients = ShopClients.create(ctx, List.of("recommendations"));
      CatalogService s =
          new CatalogService(
              products,
              store,
              cache,
              channel,
              producer,
              ctx.clock(),
              clients.clients().client("recommendations"),
              fallback(ctx, products));
      ServerSetup.limiter(ctx)
          .get("/products", s::page)
          .get("/products/{sku}", s::product)
          .get("/products/{sku}/price", s::price)
          .put("/products/{sku}/price", s::changePrice)
          .put("/products/{sku}/stock", s::changeStock)
          .get("/search", s::search)
          .get("/projection", req -> Response.json(Map.of("offsets", s.store.offsets())))
          .get("/cache/stats", req -> Response.json(s.cache.stats()));
      return ServiceInstance.of(log, db, producer, channel, cache, clients, consumer, loop);
    } catch (Exception | Error e) {
      Closeables.closeAfter(e, log, db, producer, channel, cache, clients, consumer, loop);
      throw e;
    }
  }

  /**
   * Publishes the CREATED event of every shipped product the model does not have yet (seeds have
   * fixed ids: two instances seeding at once apply once), then waits until the projection has every
   * product, at most {@link #SEED_WAIT}.
   */
  private static void seed(Products products, CatalogStore store, Producer producer, Clock clock)
      throws Exception {
    List<String> skus = products.all().stream().map(Product::sku).toList();
    Map<String, ProductView> known = store.findAll(skus);
    List<java.util.concurrent.CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
    for (Product p : products.all()) {
      if (!known.containsKey(p.sku())) {
        acks.add(producer.send(record(ProductEvent.created(p))));
      }
    }
    for (var ack : acks) {
      ack.get(SEED_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    long end = clock.nanoTime() + SEED_WAIT.toNanos();
    while (store.findAll(skus).size() < skus.size()) {
      if (clock.nanoTime() - end > 0 || !Pause.of(20)) {
        throw new IllegalStateException(
            "catalog: the projection holds "
                + store.findAll(skus).size()
                + " of the "
                + skus.size()
                + " seeded products after "
                + SEED_WAIT.toSeconds()
                + " s");
      }
    }
  }

  static OutgoingRecord record(ProductEvent e) {
    return OutgoingRecord.builder(CatalogProjection.TOPIC).key(e.sku()).value(e.bytes()).build();
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
        // GET /stats shows exact hits (the demo and the tests read them); the hit path's sampled
        // count is an estimate
        .exactHitCounts()
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
    Ids.check(sku, "sku");
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
   * Publishes a {@code PRICE_CHANGED} event and answers the product once the projection applied it
   * and this instance evicted the sku (read-your-writes); 202 {@code accepted} with the event id if
   * that takes longer than {@link #APPLY_WAIT} (the event is in the log: it will be applied).
   */
  private Response changePrice(Request req) throws Exception {
    String sku = req.pathParam("sku");
    require(sku);
    Long price = req.bodyAs(PriceChange.class).price();
    if (price == null || price < 1) {
      throw HttpProblem.badRequest(
          "price of " + sku + " must be a whole number of cents >= 1, was " + price);
    }
    return publish(ProductEvent.priceChanged(UUID.randomUUID().toString(), sku, price));
  }

  /** As {@link #changePrice}, for a {@code STOCK_CHANGED} event. */
  private Response changeStock(Request req) throws Exception {
    String sku = req.pathParam("sku");
    require(sku);
    String stock = req.bodyAs(StockChange.class).stock();
    if (stock == null || !ProductEvent.STOCK_STATUSES.contains(stock)) {
      throw HttpProblem.badRequest(
          "stock of "
              + sku
              + " must be one of "
              + ProductEvent.STOCK_STATUSES
              + ", was "
              + (stock == null ? "null" : "\"" + stock + "\""));
    }
    return publish(ProductEvent.stockChanged(UUID.randomUUID().toString(), sku, stock));
  }

  private Response publish(ProductEvent event) throws Exception {
    try {
      producer.send(record(event)).get(APPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw HttpProblem.of(
          503,
          "event_not_published",
          event.type() + " of " + event.sku() + " was not published: " + e);
    }
    long end = clock.nanoTime() + APPLY_WAIT.toNanos();
    while (true) {
      Optional<CatalogStore.Applied> applied = store.applied(event.eventId());
      CatalogStore.Invalidation inv = applied.isPresent() ? applied.get().invalidation() : null;
      if (inv != null) {
        long left = Math.max(0, end - clock.nanoTime());
        RecordMetadata m = new RecordMetadata(INVALIDATIONS, inv.partition(), inv.offset(), 0);
        if (channel.awaitApplied(m, Duration.ofNanos(left))) {
          return Response.json(require(event.sku()));
        }
        break;
      }
      if (clock.nanoTime() - end > 0 || !Pause.of(5)) {
        break;
      }
    }
    return Response.json(202, new Accepted(event.sku(), event.eventId(), "accepted"));
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
