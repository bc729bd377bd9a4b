package io.bulwark.examples.shop.bff;

import io.bulwark.examples.shop.bff.Upstream.CartBody;
import io.bulwark.examples.shop.bff.Upstream.CartLine;
import io.bulwark.examples.shop.bff.Upstream.CatalogProduct;
import io.bulwark.examples.shop.bff.Upstream.RecommendedItem;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The pages the BFFs answer. Web pages are the richer ones (category, stock status, three images
 * per product, named cart lines with line totals); mobile pages carry only what a phone shows (one
 * small image, at most {@value #MOBILE_PRODUCTS} products on the home page and {@value
 * #MOBILE_RECOMMENDATIONS} recommendations, a cart count instead of a cart summary).
 *
 * <p>Every page has {@code partial}: the names of the optional parts that failed (empty when the
 * page is whole), and a page with recommendations names their {@code recommendationsSource}: {@code
 * personal} from the recommendations service, {@code popular} from the fallback.
 */
final class Pages {
  static final int MOBILE_PRODUCTS = 10;
  static final int MOBILE_RECOMMENDATIONS = 2;
  static final int WEB_IMAGES = 3;

  private Pages() {}

  /** Which BFF: the path prefix it serves and the shape of its pages. */
  enum Flavor {
    WEB("/web"),
    MOBILE("/mobile");

    final String prefix;

    Flavor(String prefix) {
      this.prefix = prefix;
    }

    String image(String sku, int view, String size) {
      return prefix + "/img/" + sku + "?view=" + view + "&size=" + size;
    }
  }

  /** A cart in a page header: units and total in cents. */
  record CartSummary(int items, long total) {
    static CartSummary of(CartBody cart) {
      int units = 0;
      long total = 0;
      for (CartLine l : cart.items()) {
        units += l.quantity();
        total += l.quantity() * l.price();
      }
      return new CartSummary(units, total);
    }
  }

  // ---- web

  record WebProduct(
      String sku, String name, String category, long price, String stock, List<String> images) {
    static WebProduct of(CatalogProduct p) {
      List<String> images =
          java.util.stream.IntStream.rangeClosed(1, WEB_IMAGES)
              .mapToObj(v -> Flavor.WEB.image(p.sku(), v, "large"))
              .toList();
      return new WebProduct(p.sku(), p.name(), p.category(), p.price(), stockOf(p.stock()), images);
    }
  }

  record WebItem(String sku, String name, String image) {
    static WebItem of(RecommendedItem i) {
      return new WebItem(i.sku(), i.name(), Flavor.WEB.image(i.sku(), 1, "medium"));
    }
  }

  record WebHome(
      int page, List<WebProduct> products, @Nullable CartSummary cart, List<String> partial) {}

  record WebProductPage(
      WebProduct product,
      List<WebItem> recommendations,
      String recommendationsSource,
      @Nullable CartSummary cart,
      List<String> partial) {}

  record WebCartLine(
      String sku, @Nullable String name, int quantity, long price, long lineTotal, String image) {}

  record WebCartPage(
      String cartId,
      List<WebCartLine> lines,
      long total,
      List<WebItem> recommendations,
      String recommendationsSource,
      List<String> partial) {}

  // ---- mobile

  record MobileProduct(String sku, String name, long price, String stock, String image) {
    static MobileProduct of(CatalogProduct p) {
      return new MobileProduct(
          p.sku(),
          p.name(),
          p.price(),
          stockOf(p.stock()),
          Flavor.MOBILE.image(p.sku(), 1, "small"));
    }
  }

  record MobileItem(String sku, String name) {
    static MobileItem of(RecommendedItem i) {
      return new MobileItem(i.sku(), i.name());
    }
  }

  record MobileHome(int page, List<MobileProduct> products, int cartCount, List<String> partial) {}

  record MobileProductPage(
      MobileProduct product,
      List<MobileItem> recommendations,
      String recommendationsSource,
      int cartCount,
      List<String> partial) {}

  record MobileCartLine(String sku, int quantity, long price) {}

  record MobileCartPage(
      String cartId, List<MobileCartLine> lines, long total, List<String> partial) {}

  // ---- helpers

  static String stockOf(@Nullable String status) {
    return status == null ? "unknown" : status;
  }

  static Map<String, CatalogProduct> bySku(List<CatalogProduct> products) {
    return products.stream()
        .collect(Collectors.toMap(CatalogProduct::sku, Function.identity(), (a, b) -> a));
  }
}
