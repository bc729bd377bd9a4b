package io.bulwark.examples.shop.load;

import java.util.List;

/**
 * What the users can ask for: the catalog's skus, how many pages it has and words that find
 * something. The demo reads it from the catalog before the load starts.
 *
 * @param skus the product skus, in the catalog's order (not empty)
 * @param pages how many {@code /products?page=N} pages exist (N from 1), at least 1
 * @param searchWords words to search for (not empty)
 */
public record Assortment(List<String> skus, int pages, List<String> searchWords) {
  public Assortment {
    skus = List.copyOf(skus);
    searchWords = List.copyOf(searchWords);
    if (skus.isEmpty()) {
      throw new IllegalArgumentException("an assortment needs at least one sku");
    }
    if (pages < 1) {
      throw new IllegalArgumentException("an assortment needs at least 1 page, was " + pages);
    }
    if (searchWords.isEmpty()) {
      throw new IllegalArgumentException("an assortment needs at least one search word");
    }
  }
}
