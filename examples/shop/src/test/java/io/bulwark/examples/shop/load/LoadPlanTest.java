package io.bulwark.examples.shop.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.examples.shop.load.PlannedRequest.Call;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LoadPlanTest {
  private static final int N = 20_000;

  @Test
  void theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
    List<PlannedRequest> a = new LoadPlan(7, FakeShop.ASSORTMENT).requests(2_000);
    List<PlannedRequest> b = new LoadPlan(7, FakeShop.ASSORTMENT).requests(2_000);
    List<PlannedRequest> c = new LoadPlan(8, FakeShop.ASSORTMENT).requests(2_000);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
    assertThat(new LoadPlan(7, FakeShop.ASSORTMENT).request(1_234)).isEqualTo(a.get(1_234));
  }

  @Test
  void theMixFollowsTheSharesOfEachKind() {
    Map<RequestKind, Integer> counts = new EnumMap<>(RequestKind.class);
    for (PlannedRequest r : new LoadPlan(3, FakeShop.ASSORTMENT).requests(N)) {
      counts.merge(r.kind(), 1, Integer::sum);
    }
    for (RequestKind kind : RequestKind.values()) {
      assertThat(100.0 * counts.getOrDefault(kind, 0) / N)
          .as(kind.label())
          .isCloseTo(kind.percent(), Offset.offset(1.5));
    }
  }

  @Test
  void usersGoThroughTheWebBffOrTheMobileBffInTheirShares() {
    Map<String, Integer> byService = new java.util.HashMap<>();
    for (PlannedRequest r : new LoadPlan(4, FakeShop.ASSORTMENT).requests(N)) {
      String service = r.calls().getFirst().service();
      for (Call call : r.calls()) {
        assertThat(call.service()).as("one request, one BFF").isEqualTo(service);
      }
      if (r.kind() != RequestKind.SEARCH) {
        byService.merge(service, 1, Integer::sum);
      }
    }
    assertThat(byService).containsOnlyKeys("web-bff", "mobile-bff");
    int all = byService.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(100.0 * byService.get("web-bff") / all)
        .isCloseTo(LoadPlan.WEB_PERCENT, Offset.offset(2.0));
  }

  @Test
  void aCheckoutIsASessionOfOneToThreeItemsThenACheckoutWithItsOwnKey() {
    Set<String> keys = new HashSet<>();
    int sessions = 0;
    int twice = 0;
    for (PlannedRequest r : new LoadPlan(5, FakeShop.ASSORTMENT).requests(N)) {
      if (r.kind() != RequestKind.CHECKOUT) {
        assertThat(r.calls()).hasSize(1);
        assertThat(r.doubleSubmit()).isFalse();
        continue;
      }
      sessions++;
      twice += r.doubleSubmit() ? 1 : 0;
      List<Call> calls = r.calls();
      assertThat(calls.size()).isBetween(2, 4);
      String cart = calls.get(0).path();
      String prefix = cart.startsWith("/web/") ? "/web/api" : "/mobile/api";
      for (Call add : calls.subList(0, calls.size() - 1)) {
        assertThat(add.method()).isEqualTo("POST");
        assertThat(add.path()).isEqualTo(cart).startsWith(prefix + "/cart/").endsWith("/items");
      }
      Call checkout = calls.getLast();
      assertThat(checkout.path()).isEqualTo(prefix + "/checkout");
      assertThat(checkout.service()).isEqualTo(calls.get(0).service());
      String cartId =
          cart.substring((prefix + "/cart/").length(), cart.length() - "/items".length());
      assertThat(checkout.body())
          .as("the body names the cart, never a customer")
          .isEqualTo("{\"cartId\":\"" + cartId + "\"}");
      assertThat(r.customer()).startsWith("customer-");
      assertThat(checkout.idempotencyKey()).isNotNull();
      assertThat(keys.add(checkout.idempotencyKey())).as("keys are unique").isTrue();
    }
    assertThat(100.0 * twice / sessions)
        .isCloseTo(LoadPlan.DOUBLE_SUBMIT_PERCENT, Offset.offset(3.0));
  }

  @Test
  void requestsOnlyNameWhatTheAssortmentHas() {
    for (PlannedRequest r : new LoadPlan(9, FakeShop.ASSORTMENT).requests(2_000)) {
      Call call = r.calls().get(0);
      String p = call.service().equals("web-bff") ? "/web/api" : "/mobile/api";
      switch (r.kind()) {
        case BROWSE -> assertThat(call.path()).isIn(p + "/home?page=1", p + "/home?page=2");
        case PRODUCT ->
            assertThat(call.path().substring((p + "/products/").length()))
                .isIn(FakeShop.ASSORTMENT.skus());
        case SEARCH -> {
          assertThat(call.service()).as("the BFFs have no search").isEqualTo("catalog");
          assertThat(call.path()).isIn("/search?q=tea", "/search?q=mug");
        }
        default -> assertThat(call.body()).containsPattern("\"sku\":\"sku-[1-4]\"");
      }
    }
  }

  @Test
  void aNegativeIndexAndAnEmptyAssortmentAreRefused() {
    assertThatThrownBy(() -> new LoadPlan(1, FakeShop.ASSORTMENT).request(-1))
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> new Assortment(List.of(), 1, List.of("x")))
        .hasMessageContaining("sku");
    assertThatThrownBy(() -> new Assortment(List.of("a"), 0, List.of("x")))
        .hasMessageContaining("0");
  }
}
