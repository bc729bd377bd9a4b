package io.bulwark.examples.shop.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.gateway.RouteConfig;
import io.bulwark.gateway.RouteSecurity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The shipped edge config, read as the gateway service reads it, without starting anything. */
class EdgeConfigTest {
  static final String JWKS = "http://127.0.0.1:4444/.well-known/jwks.json";

  static Map<String, RouteConfig> routes(GatewayConfig config) {
    return config.routes().stream()
        .collect(Collectors.toMap(RouteConfig::name, Function.identity()));
  }

  @Test
  void customerRoutesNeedATokenFromTheIdentityServiceAndBrowsingDoesNot() {
    Map<String, RouteConfig> routes = routes(EdgeService.config(JWKS, 0, true));
    Set<String> customer =
        Set.of(
            "cart",
            "checkout",
            "order",
            "legacy-account",
            "web-cart",
            "web-checkout",
            "web-orders",
            "mobile-cart",
            "mobile-checkout",
            "mobile-orders");
    assertThat(routes.keySet()).containsAll(customer).contains("products", "product", "search");
    for (RouteConfig r : routes.values()) {
      RouteSecurity.Jwt jwt = r.security().jwt();
      if (customer.contains(r.name())) {
        assertThat(jwt).as(r.name()).isNotNull();
        assertThat(jwt.jwksUrl()).hasToString(JWKS);
        assertThat(jwt.issuer()).isEqualTo("shop-identity");
        assertThat(jwt.algorithms()).containsExactly("ES256");
        assertThat(jwt.claimHeaders()).containsEntry("sub", EdgeService.CUSTOMER_HEADER);
        assertThat(r.security().rateLimits()).as(r.name()).containsKey("per-customer");
      } else {
        assertThat(jwt).as(r.name()).isNull();
      }
    }
  }

  @Test
  void postsAreNeverRetriedAndResilienceOffDropsRetriesAndBreakersButKeepsSecurity() {
    Map<String, RouteConfig> on = routes(EdgeService.config(JWKS, 0, true));
    assertThat(on.get("checkout").retry().nonIdempotent()).isFalse();
    assertThat(on.values()).allMatch(r -> !r.retry().nonIdempotent());
    assertThat(on.get("product").retry().attempts()).isEqualTo(2);
    assertThat(on.get("product").circuitBreaker()).isNotNull();

    Map<String, RouteConfig> off = routes(EdgeService.config(JWKS, 0, false));
    assertThat(off.keySet()).isEqualTo(on.keySet());
    for (RouteConfig r : off.values()) {
      assertThat(r.retry().attempts()).as(r.name()).isEqualTo(1);
      assertThat(r.circuitBreaker()).as(r.name()).isNull();
      assertThat(r.security()).as(r.name()).isEqualTo(on.get(r.name()).security());
      assertThat(r.traffic()).as(r.name()).isEqualTo(on.get(r.name()).traffic());
    }
  }

  @Test
  void theStranglerSplitsLegacyProductPagesBetweenTheMonolithAndTheCatalog() {
    RouteConfig legacy = routes(EdgeService.config(JWKS, 0, true)).get("legacy-products");
    assertThat(legacy.traffic().split()).isNotNull();
    assertThat(legacy.traffic().split().weights()).containsEntry("catalog", 30.0);
    assertThat(legacy.traffic().split().weights()).containsEntry("legacy", 70.0);
    assertThat(legacy.rewritePrefix()).isEqualTo("/products");
  }

  @Test
  void aBadJwksAddressOrPortIsRefusedNamingTheFileLineAndField() {
    assertThatThrownBy(() -> EdgeService.config("not a url", 0, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(EdgeService.CONFIG + ":")
        .hasMessageContaining("jwks-url");
    assertThatThrownBy(() -> EdgeService.config(JWKS, 70000, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("listeners.public.port")
        .hasMessageContaining("70000");
  }

  @Test
  void theListenerTakesThePortItIsGiven() {
    GatewayConfig config = EdgeService.config(JWKS, 18080, true);
    assertThat(config.listeners().get("public").port()).isEqualTo(18080);
    assertThat(List.copyOf(config.clusters().keySet()))
        .contains("identity", "catalog", "cart", "orders", "legacy", "web-bff", "mobile-bff");
  }
}
