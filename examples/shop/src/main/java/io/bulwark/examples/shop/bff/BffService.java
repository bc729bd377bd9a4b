package io.bulwark.examples.shop.bff;

import io.bulwark.examples.shop.bff.PageParts.Fetch;
import io.bulwark.examples.shop.bff.PageParts.Page;
import io.bulwark.examples.shop.bff.Pages.CartSummary;
import io.bulwark.examples.shop.bff.Pages.Flavor;
import io.bulwark.examples.shop.bff.Pages.MobileCartLine;
import io.bulwark.examples.shop.bff.Pages.MobileCartPage;
import io.bulwark.examples.shop.bff.Pages.MobileHome;
import io.bulwark.examples.shop.bff.Pages.MobileItem;
import io.bulwark.examples.shop.bff.Pages.MobileProduct;
import io.bulwark.examples.shop.bff.Pages.MobileProductPage;
import io.bulwark.examples.shop.bff.Pages.WebCartLine;
import io.bulwark.examples.shop.bff.Pages.WebCartPage;
import io.bulwark.examples.shop.bff.Pages.WebHome;
import io.bulwark.examples.shop.bff.Pages.WebItem;
import io.bulwark.examples.shop.bff.Pages.WebProduct;
import io.bulwark.examples.shop.bff.Pages.WebProductPage;
import io.bulwark.examples.shop.bff.Upstream.CartBody;
import io.bulwark.examples.shop.bff.Upstream.CartLine;
import io.bulwark.examples.shop.bff.Upstream.CatalogPage;
import io.bulwark.examples.shop.bff.Upstream.CatalogProduct;
import io.bulwark.examples.shop.bff.Upstream.RecommendedItem;
import io.bulwark.examples.shop.common.Closeables;
import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Ids;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.examples.shop.common.Products;
import io.bulwark.examples.shop.common.ServerSetup;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.examples.shop.common.ShopClients;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The web BFF ({@code /web/...}, which also serves the storefront page) and the mobile BFF ({@code
 * /mobile/...}): one answer per page, its parts asked in parallel (see {@link PageParts}).
 *
 * <p>Pages ({@code <p>} is the BFF's prefix):
 *
 * <ul>
 *   <li>{@code GET <p>/api/home?page=N&cart=ID}: catalog page N (mandatory), cart summary
 *       (optional; only with {@code cart} and a signed-in customer, see below).
 *   <li>{@code GET <p>/api/products/{sku}?cart=ID}: the product (mandatory: 404 when the catalog
 *       knows no such sku), its recommendations (optional: on failure the {@value #RECOMMENDATIONS}
 *       most popular products, {@code recommendationsSource: "popular"}), cart summary (optional).
 *   <li>{@code GET <p>/api/cart/{cartId}}: the cart (mandatory; an unknown cart is empty), names of
 *       its products (web; optional), recommendations for its first line (web; optional).
 * </ul>
 *
 * <p>With resilience on each part has its own deadline ({@link #CATALOG_DEADLINE}, {@link
 * #CART_DEADLINE}, {@link #RECOMMENDATIONS_DEADLINE}) and an optional part that fails or passes it
 * leaves the page partial: its name in {@code partial}, the popular items in place of
 * recommendations. A mandatory part that fails fails the page: 404 {@code catalog_not_found}, 504
 * {@code <part>_timeout} or 502 {@code <part>_failed}, naming the part and the call. With
 * resilience off there are no part deadlines (each call's timeout only) and no fallback: any part
 * that fails fails the page.
 *
 * <p>Pass-through: {@code POST <p>/api/cart/{cartId}/items} to the cart, {@code POST
 * <p>/api/checkout} (header {@code Idempotency-Key}, body {@code {"cartId"}}) and {@code GET
 * <p>/api/orders/{id}} to orders, answering what they answer.
 *
 * <p>The customer: the gateway's {@value Customer#HEADER} header, set from the verified token on
 * the BFF's customer routes (cart, checkout, orders) and removed on its anonymous ones. The BFF
 * sends it on to cart and orders, which check it (see {@link Customer}): the cart page, adding to a
 * cart and a checkout without it are 401 {@code customer_required}, a checkout body naming another
 * customer is 403 {@code customer_mismatch}, another customer's cart 403. An anonymous page has no
 * cart summary ({@code cart} is ignored without a customer). {@code GET <p>/img/{sku}} draws a
 * product picture (SVG). The web BFF serves the storefront at {@code GET /web}.
 */
public final class BffService {
  static final Duration CATALOG_DEADLINE = Duration.ofMillis(1500);
  static final Duration CART_DEADLINE = Duration.ofMillis(800);
  static final Duration RECOMMENDATIONS_DEADLINE = Duration.ofMillis(400);
  static final Duration CHECKOUT_DEADLINE = Duration.ofSeconds(8);
  static final int RECOMMENDATIONS = 4;
  static final int MAX_PAGE = 1000;

  /** Body of {@code POST <p>/api/checkout}. */
  record CheckoutBody(@Nullable String cartId, @Nullable String customer) {}

  private final Flavor flavor;
  private final boolean resilience;
  private final Products products;
  private final Upstream upstream;
  private final ServiceClient cart;
  private final ServiceClient orders;
  private final PageParts parts;
  private final InstanceContext ctx;

  private BffService(InstanceContext ctx, Flavor flavor, ShopClients clients, PageParts parts) {
    this.ctx = ctx;
    this.flavor = flavor;
    this.resilience = Settings.resilience(ctx);
    this.products = Products.load();
    this.cart = clients.clients().client("cart");
    this.orders = clients.clients().client("orders");
    this.upstream =
        new Upstream(
            clients.clients().client("catalog"), cart, clients.clients().client("recommendations"));
    this.parts = parts;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the web BFF. */
  public static ServiceInstance web(InstanceContext ctx) {
    return create(ctx, Flavor.WEB);
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the mobile BFF. */
  public static ServiceInstance mobile(InstanceContext ctx) {
    return create(ctx, Flavor.MOBILE);
  }

  private static ServiceInstance create(InstanceContext ctx, Flavor flavor) {
    ShopClients clients = null;
    PageParts parts = null;
    try {
      clients = ShopClients.create(ctx, List.of("catalog", "cart", "recommendations", "orders"));
      parts = new PageParts(ctx.scheduler());
      BffService s = new BffService(ctx, flavor, clients, parts);
      String p = flavor.prefix;
      BulwarkServer.Builder server =
          ServerSetup.limiter(ctx)
              .get(p + "/api/home", s::home)
              .get(p + "/api/products/{sku}", s::product)
              .get(p + "/api/cart/{cartId}", s::cartPage)
              .post(p + "/api/cart/{cartId}/items", s::addItem)
              .post(p + "/api/checkout", s::checkout)
              .get(p + "/api/orders/{id}", s::order)
              .get(p + "/img/{sku}", s::image);
      if (flavor == Flavor.WEB) {
        Storefront.routes(server);
      }
      return ServiceInstance.of(parts, clients);
    } catch (RuntimeException | Error e) {
      Closeables.closeAfter(e, parts, clients);
      throw e;
    }
  }

  private @Nullable Duration deadline(Duration d) {
    return resilience ? d : null;
  }

  // ---- pages

  private Response home(Request req) {
    int page = pageNumber(req.query("page"));
    String cartId = optionalCart(req);
    try (Page pg = parts.page("home")) {
      Fetch<CatalogPage> catalog =
          pg.start("catalog", deadline(CATALOG_DEADLINE), () -> upstream.products(page));
      Fetch<CartBody> cartPart = startCart(pg, cartId, req);
      List<CatalogProduct> list = catalog.require().products();
      List<String> partial = new ArrayList<>();
      CartSummary summary = summary(cartPart, partial);
      return switch (flavor) {
        case WEB ->
            Response.json(
                new WebHome(page, list.stream().map(WebProduct::of).toList(), summary, partial));
        case MOBILE ->
            Response.json(
                new MobileHome(
                    page,
                    list.stream().limit(Pages.MOBILE_PRODUCTS).map(MobileProduct::of).toList(),
                    summary == null ? 0 : summary.items(),
                    partial));
      };
    }
  }

  private Response product(Request req) {
    String sku = Ids.check(req.pathParam("sku"), "sku");
    String cartId = optionalCart(req);
    try (Page pg = parts.page("product")) {
      Fetch<CatalogProduct> product =
          pg.start("catalog", deadline(CATALOG_DEADLINE), () -> upstream.product(sku));
      Fetch<List<RecommendedItem>> recs =
          pg.start(
              "recommendations",
              deadline(RECOMMENDATIONS_DEADLINE),
              () -> upstream.recommendations(sku));
      Fetch<CartBody> cartPart = startCart(pg, cartId, req);
      CatalogProduct p = product.require();
      List<String> partial = new ArrayList<>();
      Recs r = recommendations(recs, sku, partial);
      CartSummary summary = summary(cartPart, partial);
      return switch (flavor) {
        case WEB ->
            Response.json(
                new WebProductPage(
                    WebProduct.of(p),
                    r.items().stream().map(WebItem::of).toList(),
                    r.source(),
                    summary,
                    partial));
        case MOBILE ->
            Response.json(
                new MobileProductPage(
                    MobileProduct.of(p),
                    r.items().stream()
                        .limit(Pages.MOBILE_RECOMMENDATIONS)
                        .map(MobileItem::of)
                        .toList(),
                    r.source(),
                    summary == null ? 0 : summary.items(),
                    partial));
      };
    }
  }

  private Response cartPage(Request req) {
    String cartId = Ids.check(req.pathParam("cartId"), "cartId");
    String customer = Customer.of(req, "GET " + flavor.prefix + "/api/cart/" + cartId);
    try (Page pg = parts.page("cart")) {
      Fetch<CartBody> cartPart =
          pg.start("cart", deadline(CART_DEADLINE), () -> upstream.cart(cartId, customer));
      CartBody c = cartPart.require();
      long total = CartSummary.of(c).total();
      List<String> partial = new ArrayList<>();
      if (flavor == Flavor.MOBILE) {
        List<MobileCartLine> lines =
            c.items().stream()
                .map(l -> new MobileCartLine(l.sku(), l.quantity(), l.price()))
                .toList();
        return Response.json(new MobileCartPage(cartId, lines, total, partial));
      }
      List<String> skus = c.items().stream().map(CartLine::sku).toList();
      // the names and the recommendations depend on the cart's lines: asked once it answered
      Fetch<Map<String, CatalogProduct>> names =
          skus.isEmpty()
              ? null
              : pg.start(
                  "catalog",
                  deadline(CATALOG_DEADLINE),
                  () -> Pages.bySku(upstream.products(skus).products()));
      Fetch<List<RecommendedItem>> recs =
          skus.isEmpty()
              ? null
              : pg.start(
                  "recommendations",
                  deadline(RECOMMENDATIONS_DEADLINE),
                  () -> upstream.recommendations(skus.getFirst()));
      Map<String, CatalogProduct> byName = Map.of();
      if (names != null) {
        try {
          byName = names.get();
        } catch (PartFailure f) {
          if (!resilience) {
            throw names.problem(f);
          }
          partial.add("catalog");
        }
      }
      Recs r =
          recs == null
              ? new Recs(popular(""), "popular")
              : recommendations(recs, skus.getFirst(), partial);
      List<WebCartLine> lines = new ArrayList<>();
      for (CartLine l : c.items()) {
        CatalogProduct named = byName.get(l.sku());
        lines.add(
            new WebCartLine(
                l.sku(),
                named == null ? null : named.name(),
                l.quantity(),
                l.price(),
                l.quantity() * l.price(),
                flavor.image(l.sku(), 1, "small")));
      }
      return Response.json(
          new WebCartPage(
              cartId,
              lines,
              total,
              r.items().stream().map(WebItem::of).toList(),
              r.source(),
              partial));
    }
  }

  private record Recs(List<RecommendedItem> items, String source) {}

  /** The recommendations, or (resilience on) the popular items with the part named partial. */
  private Recs recommendations(
      Fetch<List<RecommendedItem>> recs, String sku, List<String> partial) {
    try {
      List<RecommendedItem> items = recs.get().stream().filter(i -> !i.sku().equals(sku)).toList();
      return new Recs(items, "personal");
    } catch (PartFailure f) {
      if (!resilience) {
        throw recs.problem(f);
      }
      partial.add(recs.part());
      return new Recs(popular(sku), "popular");
    }
  }

  private List<RecommendedItem> popular(String exceptSku) {
    return products.popular(RECOMMENDATIONS, exceptSku).stream()
        .map(p -> new RecommendedItem(p.sku(), p.name()))
        .toList();
  }

  /** The cart summary's part: only for a signed-in customer's cart. */
  private @Nullable Fetch<CartBody> startCart(Page pg, @Nullable String cartId, Request req) {
    String customer = req.header(Customer.HEADER);
    if (cartId == null || customer == null || customer.isEmpty()) {
      return null;
    }
    String who = Ids.check(customer, "header " + Customer.HEADER);
    return pg.start("cart", deadline(CART_DEADLINE), () -> upstream.cart(cartId, who));
  }

  private @Nullable CartSummary summary(@Nullable Fetch<CartBody> cartPart, List<String> partial) {
    if (cartPart == null) {
      return null;
    }
    try {
      return CartSummary.of(cartPart.get());
    } catch (PartFailure f) {
      if (!resilience) {
        throw cartPart.problem(f);
      }
      partial.add(cartPart.part());
      return null;
    }
  }

  private static @Nullable String optionalCart(Request req) {
    String id = req.query("cart");
    return id == null || id.isEmpty() ? null : Ids.check(id, "query parameter cart");
  }

  private static int pageNumber(@Nullable String raw) {
    if (raw == null) {
      return 1;
    }
    try {
      int page = Integer.parseInt(raw);
      if (page >= 1 && page <= MAX_PAGE) {
        return page;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpProblem.badRequest(
        "query parameter page must be a number 1.." + MAX_PAGE + ", was \"" + raw + "\"");
  }

  // ---- pass-through

  private Response addItem(Request req) throws InterruptedException {
    String cartId = Ids.check(req.pathParam("cartId"), "cartId");
    String customer = Customer.of(req, "POST " + flavor.prefix + "/api/cart/" + cartId + "/items");
    ClientRequest forward =
        ClientRequest.of("POST", "/carts/" + cartId + "/items")
            .withBody(req.body(), "application/json")
            .withHeader(Customer.HEADER, customer);
    return relay("cart", cart, forward);
  }

  private Response checkout(Request req) throws Exception {
    String key = req.header("Idempotency-Key");
    if (key == null || key.isEmpty() || key.length() > Ids.MAX_LENGTH) {
      throw HttpProblem.badRequest(
          "header Idempotency-Key must be 1.." + Ids.MAX_LENGTH + " characters, was " + key);
    }
    CheckoutBody body = req.bodyAs(CheckoutBody.class);
    String cartId = Ids.check(body.cartId(), "checkout: cartId");
    // the customer is the token's subject (the gateway's header), never the body's
    String customer =
        Customer.matching(req, body.customer(), "POST " + flavor.prefix + "/api/checkout");
    ClientRequest forward =
        Json.post("/checkout", new CheckoutBody(cartId, customer))
            .withHeader("Idempotency-Key", key)
            .withHeader(Customer.HEADER, customer);
    return io.bulwark.core.context.Context.current()
        .withTimeout(CHECKOUT_DEADLINE, ctx.clock())
        .call(() -> relay("orders", orders, forward));
  }

  private Response order(Request req) throws InterruptedException {
    String id = Ids.check(req.pathParam("id"), "order id");
    ClientRequest forward = ClientRequest.get("/orders/" + id);
    String customer = req.header(Customer.HEADER);
    if (customer != null && !customer.isEmpty()) {
      forward =
          forward.withHeader(Customer.HEADER, Ids.check(customer, "header " + Customer.HEADER));
    }
    return relay("orders", orders, forward);
  }

  /** Sends {@code request} and answers what the service answered; 502 naming it if it failed. */
  private static Response relay(String service, ServiceClient client, ClientRequest request)
      throws InterruptedException {
    ClientResponse r;
    try {
      r = Upstream.call(service, client, request);
    } catch (PartFailure f) {
      throw HttpProblem.of(502, service + "_failed", String.valueOf(f.getMessage()));
    }
    String type = r.header("content-type");
    return Response.bytes(r.status(), type == null ? "application/json" : type, r.body());
  }

  // ---- pictures

  private static final String[] COLOURS = {
    "#e76f51", "#2a9d8f", "#e9c46a", "#264653", "#f4a261", "#8ab17d", "#6d597a", "#457b9d"
  };

  /** A product picture: the sku's initials on a colour of its own (no image files to ship). */
  private Response image(Request req) {
    String sku = Ids.check(req.pathParam("sku"), "sku");
    String view = req.query("view");
    int v = view != null && view.matches("[1-9]") ? Integer.parseInt(view) : 1;
    String colour = COLOURS[Math.floorMod(sku.hashCode() + v, COLOURS.length)];
    String label = products.find(sku).map(Products.Product::name).orElse(sku);
    String initials = initials(label);
    String svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 120\">"
            + "<rect width=\"120\" height=\"120\" rx=\"12\" fill=\""
            + colour
            + "\"/><text x=\"60\" y=\"72\" font-family=\"sans-serif\" font-size=\"40\""
            + " text-anchor=\"middle\" fill=\"#fff\">"
            + initials
            + "</text></svg>";
    return Response.bytes(200, "image/svg+xml", svg.getBytes(StandardCharsets.UTF_8))
        .header("cache-control", "max-age=3600");
  }

  private static String initials(String name) {
    StringBuilder b = new StringBuilder();
    boolean wordStart = true;
    for (int i = 0; i < name.length() && b.length() < 2; i++) {
      char c = name.charAt(i);
      boolean letter = Character.isLetterOrDigit(c);
      if (letter && wordStart) {
        b.append(Character.toUpperCase(c));
      }
      wordStart = !letter;
    }
    return b.isEmpty() ? "?" : b.toString();
  }
}
