package io.bulwark.examples.shop.load;

/**
 * What a user does in one scheduled request, with its share of the mix. The shares add up to 100.
 * {@code <p>} is the prefix of the BFF the request goes through ({@code /web} or {@code /mobile},
 * see {@link LoadPlan}).
 */
public enum RequestKind {
  /** A BFF's home page, {@code GET <p>/api/home?page=N}: a page of the catalog. */
  BROWSE("browse", 40),
  /**
   * A BFF's product page, {@code GET <p>/api/products/{sku}}: the product with its recommendations
   * (popular items when they fail).
   */
  PRODUCT("product", 25),
  /** The catalog's {@code GET /search?q=word} (the BFFs have no search page). */
  SEARCH("search", 15),
  /** {@code POST <p>/api/cart/{cartId}/items}: a cart that is never checked out. */
  ADD_TO_CART("add-to-cart", 12),
  /**
   * A checkout session: 1 to 3 {@code POST <p>/api/cart/{cartId}/items} then {@code POST
   * <p>/api/checkout} with an {@code Idempotency-Key}; its latency runs from the intended start to
   * the checkout's answer.
   */
  CHECKOUT("checkout", 8);

  private final String label;
  private final int percent;

  RequestKind(String label, int percent) {
    this.label = label;
    this.percent = percent;
  }

  /** The kind's name in tables and reports. */
  public String label() {
    return label;
  }

  /** Its share of the mix, in percent. */
  public int percent() {
    return percent;
  }
}
