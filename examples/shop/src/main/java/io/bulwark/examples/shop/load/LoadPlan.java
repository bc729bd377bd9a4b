package io.bulwark.examples.shop.load;

import io.bulwark.examples.shop.load.PlannedRequest.Call;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The seeded request sequence: request {@code i} is a pure function of the seed, {@code i} and the
 * assortment, so the same seed gives the same sequence, request by request, however fast the shop
 * answers. The mix follows {@link RequestKind#percent()}; about {@value #DOUBLE_SUBMIT_PERCENT} %
 * of checkouts are submitted twice with the same key.
 *
 * <p>Users come through the shop's backends for frontends, as its web storefront and mobile app do:
 * about {@value #WEB_PERCENT} % of requests are the web BFF's ({@code /web/api/...}, service {@code
 * web-bff}), the rest the mobile BFF's ({@code /mobile/api/...}, {@code mobile-bff}). A browse is
 * the BFF's home page {@code GET <p>/api/home?page=N}, a product view its product page {@code GET
 * <p>/api/products/{sku}} (product, recommendations or popular items), adding to a cart {@code POST
 * <p>/api/cart/{cartId}/items} and a checkout {@code POST <p>/api/checkout} with {@code {"cartId"}}
 * (the customer is the signed-in one, never named in the body). The BFFs have no search: a search
 * is the catalog's {@code GET /search?q=word}.
 */
public final class LoadPlan {
  /** Share of checkouts submitted twice, in percent. */
  public static final int DOUBLE_SUBMIT_PERCENT = 10;

  /** Share of requests made through the web BFF, in percent; the rest use the mobile BFF. */
  public static final int WEB_PERCENT = 70;

  private static final int CUSTOMERS = 500;
  private final long seed;
  private final Assortment assortment;

  public LoadPlan(long seed, Assortment assortment) {
    this.seed = seed;
    this.assortment = Objects.requireNonNull(assortment, "assortment");
  }

  /** Request {@code index} of the sequence. */
  public PlannedRequest request(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("request index must be >= 0, was " + index);
    }
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    RequestKind kind = pickKind(random.nextInt(100));
    Bff bff = bffOf(index);
    return switch (kind) {
      case BROWSE -> single(index, kind, bff.get("/home?page=" + (1 + random.nextInt(pages()))));
      case PRODUCT -> single(index, kind, bff.get("/products/" + sku(random)));
      case SEARCH ->
          single(index, kind, new Call("catalog", "GET", "/search?q=" + word(random), null, null));
      case ADD_TO_CART ->
          new PlannedRequest(
              index,
              kind,
              List.of(bff.addItem(cartId(index), sku(random), random)),
              false,
              customerOf(index));
      case CHECKOUT -> checkout(index, random, bff);
    };
  }

  /** The first {@code count} requests. */
  public List<PlannedRequest> requests(int count) {
    List<PlannedRequest> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      list.add(request(i));
    }
    return list;
  }

  private static RequestKind pickKind(int roll) {
    int upTo = 0;
    for (RequestKind kind : RequestKind.values()) {
      upTo += kind.percent();
      if (roll < upTo) {
        return kind;
      }
    }
    throw new IllegalStateException("mix percentages do not add up to 100");
  }

  private PlannedRequest checkout(int index, SplittableRandom random, Bff bff) {
    String cart = cartId(index);
    List<Call> calls = new ArrayList<>();
    int items = 1 + random.nextInt(3);
    for (int i = 0; i < items; i++) {
      calls.add(bff.addItem(cart, sku(random), random));
    }
    String customer = "customer-" + random.nextInt(CUSTOMERS);
    String body = "{\"cartId\":\"" + cart + "\"}";
    calls.add(
        new Call(bff.service, "POST", bff.prefix + "/checkout", body, "co-" + seed + "-" + index));
    boolean twice = random.nextInt(100) < DOUBLE_SUBMIT_PERCENT;
    return new PlannedRequest(index, RequestKind.CHECKOUT, calls, twice, customer);
  }

  private static PlannedRequest single(int index, RequestKind kind, Call call) {
    return new PlannedRequest(index, kind, List.of(call), false, null);
  }

  /**
   * The customer adding to cart {@code index}: drawn from a stream of its own, so the rest of the
   * request (kind, sku, quantity) is what it was before requests named their customer.
   */
  private String customerOf(int index) {
    return "customer-"
        + new SplittableRandom(seed * 0x2545F4914F6CDD1DL + index).nextInt(CUSTOMERS);
  }

  /**
   * The BFF of request {@code index}: drawn from a stream of its own, so the rest of the request is
   * what it was before requests went through the BFFs.
   */
  private Bff bffOf(int index) {
    int roll = new SplittableRandom(seed * 0x632BE59BD9B4E019L + index).nextInt(100);
    return roll < WEB_PERCENT ? Bff.WEB : Bff.MOBILE;
  }

  /** A backend for frontends: its service and the prefix of its API. */
  private enum Bff {
    WEB("web-bff", "/web/api"),
    MOBILE("mobile-bff", "/mobile/api");

    final String service;
    final String prefix;

    Bff(String service, String prefix) {
      this.service = service;
      this.prefix = prefix;
    }

    Call get(String path) {
      return new Call(service, "GET", prefix + path, null, null);
    }

    Call addItem(String cart, String sku, SplittableRandom random) {
      String body = "{\"sku\":\"" + sku + "\",\"quantity\":" + (1 + random.nextInt(2)) + "}";
      return new Call(service, "POST", prefix + "/cart/" + cart + "/items", body, null);
    }
  }

  private String cartId(int index) {
    return "cart-" + seed + "-" + index;
  }

  private int pages() {
    return assortment.pages();
  }

  private String sku(SplittableRandom random) {
    List<String> skus = assortment.skus();
    return skus.get(random.nextInt(skus.size()));
  }

  private String word(SplittableRandom random) {
    List<String> words = assortment.searchWords();
    return URLEncoder.encode(words.get(random.nextInt(words.size())), StandardCharsets.UTF_8);
  }
}
