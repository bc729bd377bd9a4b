package io.bulwark.examples.shop.common;

import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import org.jspecify.annotations.Nullable;

/**
 * The customer a request acts for: the value of {@value #HEADER}, which the gateway sets from the
 * verified token's {@code sub} claim on its customer routes (removing any copy the client sent).
 * Cart and orders take the customer from there only, never from a body: a request without the
 * header did not come through a customer route and is refused with 401 {@code customer_required}; a
 * body that names another customer is refused with 403 {@code customer_mismatch}.
 */
public final class Customer {
  /** The header the gateway fills with the verified customer id. */
  public static final String HEADER = "x-customer-id";

  private Customer() {}

  /**
   * The customer of {@code req}.
   *
   * @param what the request, as the client knows it ("POST /checkout"), for the error
   * @throws HttpProblem 401 {@code customer_required} without the header, 400 naming a malformed
   *     value
   */
  public static String of(Request req, String what) {
    String id = req.header(HEADER);
    if (id == null || id.isEmpty()) {
      throw HttpProblem.of(
          401,
          "customer_required",
          what
              + ": no header "
              + HEADER
              + " (the gateway sets it from the customer's verified token)");
    }
    return Ids.check(id, what + ": header " + HEADER);
  }

  /**
   * The customer of {@code req}, which a customer named in its body, if any, must equal.
   *
   * @param named the customer the body names, or null when it names none
   * @throws HttpProblem as {@link #of}, and 403 {@code customer_mismatch} naming both customers
   */
  public static String matching(Request req, @Nullable String named, String what) {
    String id = of(req, what);
    if (named != null && !named.equals(id)) {
      throw HttpProblem.of(
          403,
          "customer_mismatch",
          what
              + ": the body names customer '"
              + named
              + "', the request is signed in as '"
              + id
              + "'");
    }
    return id;
  }
}
