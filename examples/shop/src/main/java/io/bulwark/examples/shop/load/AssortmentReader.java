package io.bulwark.examples.shop.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Reads the {@link Assortment} from a catalog: {@code GET /products?page=N} from page 1 until a
 * page is empty or missing; search words are the categories and the first word of each name.
 */
public final class AssortmentReader {
  private static final int MAX_PAGES = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  private AssortmentReader() {}

  /**
   * Reads the catalog at {@code catalog} ({@code http://127.0.0.1:port}); throws {@link
   * IllegalStateException} naming the catalog when it lists no product.
   */
  public static Assortment read(URI catalog) {
    List<String> skus = new ArrayList<>();
    TreeSet<String> words = new TreeSet<>();
    int pages = 0;
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      for (int page = 1; page <= MAX_PAGES; page++) {
        JsonNode products = fetch(client, catalog.resolve("/products?page=" + page));
        if (!products.isArray() || products.isEmpty()) {
          break;
        }
        pages = page;
        for (JsonNode p : products) {
          skus.add(p.path("sku").asText());
          words.add(p.path("category").asText().toLowerCase(Locale.ROOT));
          words.add(p.path("name").asText().split("\\s+", -1)[0].toLowerCase(Locale.ROOT));
        }
      }
    }
    words.remove("");
    if (skus.isEmpty() || words.isEmpty()) {
      throw new IllegalStateException("the catalog at " + catalog + " lists no product");
    }
    return new Assortment(skus, pages, List.copyOf(words));
  }

  private static JsonNode fetch(HttpClient client, URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return JSON.missingNode();
      }
      return JSON.readTree(response.body()).path("products");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the catalog at " + uri + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the catalog at " + uri, e);
    }
  }
}
