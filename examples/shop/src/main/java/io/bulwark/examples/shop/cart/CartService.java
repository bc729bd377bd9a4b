package io.bulwark.examples.shop.cart;

import io.bulwark.examples.shop.catalog.CatalogService.ProductView;
import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Ids;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The cart service: carts in memory (lost with the instance, as a session cache would be).
 *
 * <p>{@code POST /carts/{cartId}/items} {@code {"sku","quantity":1..10}} adds to the cart at the
 * catalog's price (asked each time; an unknown sku is 404, a catalog failure 502) and answers the
 * cart; {@code GET /carts/{cartId}} (404 if none); {@code DELETE /carts/{cartId}}. Adding is atomic
 * per cart; one cart holds at most {@value #MAX_QUANTITY} of one sku.
 *
 * <p>Every route acts for the customer of the gateway's {@value Customer#HEADER} header (401 {@code
 * customer_required} without it, see {@link Customer}). The first add makes the cart that
 * customer's; another customer's add, read or delete of it is refused with 403 {@code
 * not_your_cart} and changes nothing.
 */
public final class CartService {
  static final int MAX_QUANTITY = 10;

  /** Body of {@code POST /carts/{cartId}/items}. */
  public record AddItem(@Nullable String sku, int quantity) {}

  /** A line of a cart; {@code price} in cents per unit. */
  public record CartItem(String sku, int quantity, long price) {}

  /** A cart. */
  public record Cart(String cartId, List<CartItem> items) {}

  /** A cart's owner and lines (guarded by the lines' monitor). */
  private record Owned(String customer, Map<String, CartItem> lines) {}

  private final Map<String, Owned> carts = new ConcurrentHashMap<>();
  private final ServiceClient catalog;

  private CartService(ServiceClient catalog) {
    this.catalog = catalog;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) {
    ShopClients clients = ShopClients.create(ctx, List.of("catalog"));
    CartService s = new CartService(clients.clients().client("catalog"));
    ServerSetup.limiter(ctx)
        .post("/carts/{cartId}/items", s::add)
        .get("/carts/{cartId}", s::get)
        .delete("/carts/{cartId}", s::delete);
    return ServiceInstance.of(clients);
  }

  private Response add(Request req) {
    String cartId = cartId(req);
    String customer = Customer.of(req, "POST /carts/" + cartId + "/items");
    AddItem body = req.bodyAs(AddItem.class);
    String sku = Ids.check(body.sku(), "cart " + cartId + ": sku");
    if (body.quantity() < 1 || body.quantity() > MAX_QUANTITY) {
      throw HttpProblem.badRequest(
          "cart " + cartId + ": quantity must be 1.." + MAX_QUANTITY + ", was " + body.quantity());
    }
    owned(cartId, customer); // refuse another customer's cart before asking the catalog
    long price = price(sku);
    Map<String, CartItem> lines =
        owned(
                cartId,
                customer,
                carts.computeIfAbsent(cartId, k -> new Owned(customer, new LinkedHashMap<>())))
            .lines();
    Cart cart;
    synchronized (lines) {
      CartItem old = lines.get(sku);
      int quantity = (old == null ? 0 : old.quantity()) + body.quantity();
      if (quantity > MAX_QUANTITY) {
        throw HttpProblem.conflict(
            "cart "
                + cartId
                + " would hold "
                + quantity
                + " of "
                + sku
                + ", more than "
                + MAX_QUANTITY);
      }
      lines.put(sku, new CartItem(sku, quantity, price));
      cart = new Cart(cartId, new ArrayList<>(lines.values()));
    }
    return Response.json(cart);
  }

  private long price(String sku) {
    ClientResponse r;
    try {
      r = catalog.send(ClientRequest.get("/products/" + sku + "/price"));
    } catch (Exception e) {
      throw HttpProblem.of(502, "catalog_failed", "price of " + sku + ": " + e.getMessage());
    }
    if (r.status() == 404) {
      throw HttpProblem.notFound("unknown sku " + sku);
    }
    if (r.status() != 200) {
      throw HttpProblem.of(
          502, "catalog_failed", "price of " + sku + ": catalog answered " + r.status());
    }
    // a missing price reads as 0: never a free line
    long price = Json.body(r, ProductView.class, "GET /products/" + sku + "/price").price();
    if (price <= 0) {
      throw HttpProblem.of(
          502, "catalog_failed", "price of " + sku + ": catalog answered price " + price);
    }
    return price;
  }

  private Response get(Request req) {
    String cartId = cartId(req);
    Owned owned = owned(cartId, Customer.of(req, "GET /carts/" + cartId));
    if (owned == null) {
      throw HttpProblem.notFound("no cart " + cartId);
    }
    Map<String, CartItem> lines = owned.lines();
    synchronized (lines) {
      return Response.json(new Cart(cartId, new ArrayList<>(lines.values())));
    }
  }

  private Response delete(Request req) {
    String cartId = cartId(req);
    Owned owned = owned(cartId, Customer.of(req, "DELETE /carts/" + cartId));
    if (owned != null) {
      carts.remove(cartId, owned);
    }
    return Response.status(204);
  }

  /** The cart, null if none; 403 when it is another customer's. */
  private @Nullable Owned owned(String cartId, String customer) {
    Owned owned = carts.get(cartId);
    return owned == null ? null : owned(cartId, customer, owned);
  }

  private static Owned owned(String cartId, String customer, Owned owned) {
    if (!owned.customer().equals(customer)) {
      throw HttpProblem.of(
          403, "not_your_cart", "cart " + cartId + " is not a cart of customer '" + customer + "'");
    }
    return owned;
  }

  private static String cartId(Request req) {
    return Ids.check(req.pathParam("cartId"), "cartId");
  }
}
