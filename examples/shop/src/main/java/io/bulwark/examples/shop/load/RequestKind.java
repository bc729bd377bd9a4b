package io.bulwark.examples.shop.load;

/**
 * What a user does in one scheduled request, with its share of the mix. The shares add up to 100.
 */
public enum RequestKind {
  /** {@code GET /products?page=N}. */
  BROWSE("browse", 40),
  /** {@code GET /products/{sku}}: the product page with its recommendations. */
  PRODUCT("product", 25),
  /** {@code GET /search?q=word}. */
  SEARCH("search", 15),
  /** {@code POST /carts/{cartId}/items}: a cart that is never checked out. */
  ADD_TO_CART("add-to-cart", 12),
  /**
   * A checkout session: 1 to 3 {@code POST /carts/{cartId}/items} then {@code POST /checkout} with
   * an {@code Idempotency-Key}; its latency runs from the intended start to the checkout's answer.
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
