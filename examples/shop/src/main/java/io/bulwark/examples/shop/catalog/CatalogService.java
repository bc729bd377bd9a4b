package io.bulwark.examples.shop.catalog;

import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Products;
import io.bulwark.examples.shop.common.Products.Product;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.ShopClients;
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
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The catalog service: products from {@code shop/products.json}, pages of {@value #PAGE_SIZE}, a
 * product with its recommendations, and a search.
 *
 * <p>A product page asks the recommendations service. With resilience on, that call runs through a
 * pipeline whose {@link Fallback} answers the catalog's own popular items (source {@code
 * "popular"}) whenever the call fails — including when its circuit breaker is open or its timeout
 * passed — so a product page never fails because recommendations did. With resilience off the
 * failure propagates: 502 {@code recommendations_failed}.
 */
public final class CatalogService {
  public static final int PAGE_SIZE = 20;
  static final int RECOMMENDATIONS = 4;
  static final int SEARCH_LIMIT = 20;

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

  /** {@code GET /search?q=word}. */
  public record SearchResult(List<ProductView> products) {}

  private record Recs(List<Item> items, String source) {}

  private final Products products;
  private final ServiceClient recommendations;
  private final @Nullable Pipeline fallback;

  private CatalogService(
      Products products, ServiceClient recommendations, @Nullable Pipeline fallback) {
    this.products = products;
    this.recommendations = recommendations;
    this.fallback = fallback;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) {
    Products products = Products.load();
    ShopClients clients = ShopClients.create(ctx, List.of("recommendations"));
    Pipeline fallback = null;
    if (Settings.resilience(ctx)) {
      fallback =
          Pipeline.builder()
              .name("recommendations-fallback")
              .clock(ctx.clock())
              .with(
                  Fallback.<Recs>from(
                      "recommendations-fallback",
                      failure -> new Recs(popularItems(products, failure), "popular")))
              .listener(ctx.resilienceListener())
              .build();
    }
    CatalogService s =
        new CatalogService(products, clients.clients().client("recommendations"), fallback);
    ServerSetup.limiter(ctx)
        .get("/products", s::page)
        .get("/products/{sku}", s::product)
        .get("/products/{sku}/price", s::price)
        .get("/search", s::search);
    return ServiceInstance.of(clients);
  }

  private static List<Item> popularItems(Products products, Throwable unused) {
    return products.popular(RECOMMENDATIONS, "").stream()
        .map(p -> new Item(p.sku(), p.name()))
        .toList();
  }

  private Response page(Request req) {
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
    List<ProductView> views =
        products.all().stream()
            .skip((long) (page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
            .map(ProductView::of)
            .toList();
    return Response.json(new Page(views, page));
  }

  private Product require(String sku) {
    return products.find(sku).orElseThrow(() -> HttpProblem.notFound("unknown sku " + sku));
  }

  private Response price(Request req) {
    return Response.json(ProductView.of(require(req.pathParam("sku"))));
  }

  private Response product(Request req) throws Exception {
    Product p = require(req.pathParam("sku"));
    Recs recs = fallback != null ? fallback.call(() -> ask(p.sku())) : askPlain(p.sku());
    List<Item> items = recs.items().stream().filter(i -> !i.sku().equals(p.sku())).toList();
    return Response.json(new ProductPage(ProductView.of(p), items, recs.source()));
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
    List<ProductView> found =
        products.all().stream()
            .filter(
                p ->
                    p.name().toLowerCase(Locale.ROOT).contains(needle)
                        || p.category().toLowerCase(Locale.ROOT).contains(needle))
            .limit(SEARCH_LIMIT)
            .map(ProductView::of)
            .toList();
    return Response.json(new SearchResult(found));
  }
}
