package io.bulwark.examples.shop.load;

/**
 * The BFF pages the users got (home and product pages answered 200), by BFF, and how many of them
 * were partial: an optional part (recommendations, the cart summary) failed and the BFF answered
 * without it, naming it in the page's {@code partial} (popular items in place of recommendations).
 *
 * @param web pages the web BFF answered
 * @param mobile pages the mobile BFF answered
 * @param partial of those, the partial ones
 */
public record PageCounts(long web, long mobile, long partial) {
  /** Pages answered, both BFFs. */
  public long answered() {
    return web + mobile;
  }
}
