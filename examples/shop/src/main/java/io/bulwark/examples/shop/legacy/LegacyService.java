package io.bulwark.examples.shop.legacy;

import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Ids;
import io.bulwark.examples.shop.common.Products;
import io.bulwark.examples.shop.common.Products.Product;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.util.Locale;

/**
 * The legacy monolith being strangled: the shop as it was before the services, with the old field
 * names (upper-case, prices as a decimal string of euros) the new services no longer use. It serves
 * {@code GET /products/{sku}} (the old product page, which the gateway's strangler split moves to
 * the catalog share by share) and {@code GET /legacy/account} (the account page, still only here;
 * the customer comes from the gateway's verified {@code x-customer-id}). Every answer says {@code
 * "SERVED_BY": "legacy-monolith"} so a client (and the tests) can tell the two sides apart. Keeps
 * no state.
 */
public final class LegacyService {
  /** The header the gateway fills with the verified customer id of a JWT route. */
  public static final String CUSTOMER_HEADER = Customer.HEADER;

  /** The marker in every answer of the monolith. */
  public static final String SERVED_BY = "legacy-monolith";

  /** The old product page. */
  public record OldProductPage(
      String ITEM_NO, String DESCR, String CATEGORY, String PRICE_EUR, String SERVED_BY) {}

  /** The old account page. */
  public record OldAccountPage(String CUST_ID, String STATUS, String SERVED_BY) {}

  private final Products products;

  private LegacyService(Products products) {
    this.products = products;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) {
    LegacyService s = new LegacyService(Products.load());
    ctx.server().get("/products/{sku}", s::product).get("/legacy/account", s::account);
    return ServiceInstance.none();
  }

  private Response product(Request req) {
    String sku = Ids.check(req.pathParam("sku"), "sku");
    Product p = products.find(sku).orElseThrow(() -> HttpProblem.notFound("unknown sku " + sku));
    String euros = String.format(Locale.ROOT, "%d.%02d", p.price() / 100, p.price() % 100);
    return Response.json(
        new OldProductPage(
            p.sku(), p.name().toUpperCase(Locale.ROOT), p.category(), euros, SERVED_BY));
  }

  private Response account(Request req) {
    String customer = req.header(CUSTOMER_HEADER);
    if (customer == null) {
      throw HttpProblem.of(
          401, "no_customer", "the account page needs the gateway's " + CUSTOMER_HEADER);
    }
    return Response.json(
        new OldAccountPage(Ids.check(customer, CUSTOMER_HEADER), "ACTIVE", SERVED_BY));
  }
}
