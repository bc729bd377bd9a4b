package io.bulwark.examples.shop.recommendations;

import io.bulwark.examples.shop.common.Products;
import io.bulwark.examples.shop.common.Products.Product;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The recommendations service: {@code GET /recommendations/{sku}} answers the product's "also
 * bought" list, {@value #ITEMS} other products picked for each sku from the system's seed (the same
 * on every instance and every run with that seed). Keeps no state.
 */
public final class RecommendationsService {
  public static final int ITEMS = 4;

  /** One recommended product. */
  public record Item(String sku, String name) {}

  /** The answer of {@code GET /recommendations/{sku}}. */
  public record Recommendations(String sku, List<Item> items) {}

  private final Products products;
  private final long seed;

  private RecommendationsService(Products products, long seed) {
    this.products = products;
    this.seed = seed;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) {
    RecommendationsService service = new RecommendationsService(Products.load(), ctx.seed());
    ServerSetup.limiter(ctx)
        .get("/recommendations/{sku}", req -> Response.json(service.forSku(req.pathParam("sku"))));
    return ServiceInstance.none();
  }

  Recommendations forSku(String sku) {
    Product product =
        products.find(sku).orElseThrow(() -> HttpProblem.notFound("unknown sku " + sku));
    List<Product> all = products.all();
    SplittableRandom random = new SplittableRandom(seed * 31 + product.sku().hashCode());
    List<Item> items = new ArrayList<>(ITEMS);
    while (items.size() < ITEMS) {
      Product p = all.get(random.nextInt(all.size()));
      Item item = new Item(p.sku(), p.name());
      if (!p.sku().equals(sku) && !items.contains(item)) {
        items.add(item);
      }
    }
    return new Recommendations(sku, items);
  }
}
