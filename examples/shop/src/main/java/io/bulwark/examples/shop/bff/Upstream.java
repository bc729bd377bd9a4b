package io.bulwark.examples.shop.bff;

import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Json;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.ServiceClient;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The calls a BFF makes for its pages, each read into the BFF's own view of the answer (unknown
 * fields ignored, so a newer service may add some). A non-200 answer is a {@link PartFailure}
 * naming the part, the call and the status: 404 stays 404, anything else is 502.
 */
final class Upstream {
  /** A product as the catalog answers it; {@code stock} is the catalog's stock status. */
  record CatalogProduct(
      String sku, String name, String category, long price, @Nullable String stock) {}

  /** {@code GET /products?page=N} of the catalog. */
  record CatalogPage(List<CatalogProduct> products, int page) {}

  /** {@code GET /products?skus=a,b} of the catalog. */
  record CatalogProducts(List<CatalogProduct> products) {}

  /** One recommended product. */
  record RecommendedItem(String sku, String name) {}

  /** {@code GET /recommendations/{sku}}. */
  record RecommendationList(String sku, List<RecommendedItem> items) {}

  /** A cart line; {@code price} in cents per unit. */
  record CartLine(String sku, int quantity, long price) {}

  /** {@code GET /carts/{id}}. */
  record CartBody(String cartId, List<CartLine> items) {}

  private final ServiceClient catalog;
  private final ServiceClient cart;
  private final ServiceClient recommendations;

  Upstream(ServiceClient catalog, ServiceClient cart, ServiceClient recommendations) {
    this.catalog = catalog;
    this.cart = cart;
    this.recommendations = recommendations;
  }

  CatalogProduct product(String sku) throws InterruptedException {
    return ok("catalog", catalog, "/products/" + sku + "/price", CatalogProduct.class);
  }

  CatalogPage products(int page) throws InterruptedException {
    return ok("catalog", catalog, "/products?page=" + page, CatalogPage.class);
  }

  CatalogProducts products(List<String> skus) throws InterruptedException {
    return ok(
        "catalog", catalog, "/products?skus=" + String.join(",", skus), CatalogProducts.class);
  }

  List<RecommendedItem> recommendations(String sku) throws InterruptedException {
    return ok(
            "recommendations", recommendations, "/recommendations/" + sku, RecommendationList.class)
        .items();
  }

  /**
   * The cart, read as {@code customer}, or an empty one when the cart service knows none of that
   * id.
   */
  CartBody cart(String cartId, String customer) throws InterruptedException {
    String path = "/carts/" + cartId;
    ClientResponse r =
        call("cart", cart, ClientRequest.get(path).withHeader(Customer.HEADER, customer));
    if (r.status() == 404) {
      return new CartBody(cartId, List.of());
    }
    return read("cart", r, path, CartBody.class);
  }

  private static <T> T ok(String part, ServiceClient client, String path, Class<T> type)
      throws InterruptedException {
    return read(part, call(part, client, ClientRequest.get(path)), path, type);
  }

  static ClientResponse call(String part, ServiceClient client, ClientRequest request)
      throws InterruptedException {
    try {
      return client.send(request);
    } catch (InterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new PartFailure(
          part, 502, request.method() + " " + request.path() + " failed: " + e.getMessage());
    }
  }

  private static <T> T read(String part, ClientResponse r, String path, Class<T> type) {
    if (r.status() != 200) {
      throw new PartFailure(
          part,
          r.status() == 404 || r.status() == 403 ? r.status() : 502,
          "GET " + path + " answered " + r.status() + ": " + abbreviate(r.bodyAsString()));
    }
    try {
      return Json.body(r, type, "GET " + path);
    } catch (IllegalArgumentException e) {
      throw new PartFailure(part, 502, String.valueOf(e.getMessage()));
    }
  }

  private static String abbreviate(String body) {
    return body.length() <= 200 ? body : body.substring(0, 200) + "...";
  }
}
