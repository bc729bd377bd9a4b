package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficConfigTest {
  static GatewayConfig parse(String yaml) {
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "t.yaml", GatewayConfig::bind);
  }

  static final String HEAD =
      """
      listeners:
        public: {port: 8080}
      clusters:
        v1: {endpoints: [v1.internal:80]}
        v2: {endpoints: [v2.internal:80]}
        legacy: {endpoints: [legacy.internal:80]}
      routes:
      """;

  @Test
  void bindsEveryTrafficFeature() {
    GatewayConfig c =
        parse(
            HEAD
                + """
                  canary:
                    match: {path-prefix: /shop}
                    split:
                      weights: {v1: 90, v2: 10}
                      rules:
                        beta: {header: X-Canary, equals: "1", cluster: v2}
                        testers: {cookie: tester, equals: "yes", cluster: v2}
                      sticky: {cookie: session}
                      seed: 42
                      paths:
                        /shop/cart: {v2: 100}
                    shadow:
                      cluster: legacy
                      share: 12.5
                      max-body-bytes: 1024
                      ignore: [/time, "/items/0/a~1b"]
                      timeout: 1s
                      samples: 5
                  strangle:
                    match: {path-prefix: /orders}
                    strangler:
                      legacy: legacy
                      new: v2
                      share: 25
                      paths: {/orders/history: 100}
                      sticky: {jwt-subject-header: x-user-subject}
                  bff:
                    match: {path-template: "/page/{id}"}
                    listeners: [public]
                    aggregate:
                      parts:
                        product: {cluster: v1, path: "/products/{id}", timeout: 300ms, required: true}
                        reviews: {cluster: v2, path: "/reviews?product={id}"}
                """);
    RouteConfig canary = c.routes().get(0);
    TrafficConfig.Split split = canary.traffic().split();
    assertThat(canary.cluster()).isNull();
    assertThat(split).isNotNull();
    assertThat(split.weights()).containsExactly(Map.entry("v1", 90.0), Map.entry("v2", 10.0));
    assertThat(split.rules())
        .extracting(TrafficConfig.Rule::name, TrafficConfig.Rule::key, TrafficConfig.Rule::source)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("beta", "x-canary", TrafficConfig.KeySource.HEADER),
            org.assertj.core.groups.Tuple.tuple(
                "testers", "tester", TrafficConfig.KeySource.COOKIE));
    assertThat(split.sticky())
        .isEqualTo(new TrafficConfig.Sticky(TrafficConfig.KeySource.COOKIE, "session"));
    assertThat(split.seed()).isEqualTo(42);
    assertThat(split.paths()).containsEntry("/shop/cart", Map.of("v2", 100.0));
    TrafficConfig.Shadow shadow = canary.traffic().shadow();
    assertThat(shadow)
        .isEqualTo(
            new TrafficConfig.Shadow(
                "legacy",
                12.5,
                1024,
                List.of("/time", "/items/0/a~1b"),
                Duration.ofSeconds(1),
                5,
                0));
    TrafficConfig.Split strangler = c.routes().get(1).traffic().split();
    assertThat(strangler).isNotNull();
    // the new cluster's interval comes first, so growing the share only moves users legacy → new
    assertThat(strangler.weights())
        .containsExactly(Map.entry("v2", 25.0), Map.entry("legacy", 75.0));
    assertThat(strangler.paths().get("/orders/history"))
        .containsEntry("v2", 100.0)
        .containsEntry("legacy", 0.0);
    assertThat(strangler.sticky())
        .isEqualTo(new TrafficConfig.Sticky(TrafficConfig.KeySource.HEADER, "x-user-subject"));
    TrafficConfig.Aggregate bff = c.routes().get(2).traffic().aggregate();
    assertThat(bff).isNotNull();
    assertThat(bff.parts().keySet()).containsExactly("product", "reviews");
    assertThat(bff.parts().get("product").required()).isTrue();
    assertThat(bff.parts().get("reviews").required()).isFalse();
    assertThat(bff.parts().get("reviews").timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.routes().get(2).traffic().listeners()).containsExactly("public");
  }

  @Test
  void reportsEveryBadTrafficValueWithFileLineAndField() {
    String yaml =
        HEAD
            + """
              sum:
                match: {path-prefix: /a}
                split:
                  weights: {v1: 90, v2: 5}
              negative:
                match: {path-prefix: /b}
                split:
                  weights: {v1: 110, v2: -10}
              unknown:
                match: {path-prefix: /c}
                split:
                  weights:
                    v1: 50
                    v3: 50
              pointer:
                match: {path-prefix: /d}
                cluster: v1
                shadow:
                  cluster: v2
                  ignore: [time, "/a~2b"]
              parts:
                match: {path-template: "/p/{id}"}
                aggregate:
                  parts:
                    product: {cluster: v1, path: "/products/{id}"}
                    product: {cluster: v2, path: "/other/{sku}"}
              strangle:
                match: {path-prefix: /orders}
                strangler: {legacy: v1, new: v1, share: 120, paths: {/elsewhere: 10}}
              both:
                match: {path-prefix: /e}
                cluster: v1
                split: {weights: {v1: 100}}
              nothing:
                match: {path-prefix: /f}
                shadow: {cluster: v2}
              placeholders:
                match: {path-prefix: /g}
                aggregate:
                  parts:
                    a: {cluster: v1, path: "/x/{id}"}
                    _partial: {cluster: v1, path: "/y"}
            """;
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "t.yaml:11: routes.sum.split.weights: weights must sum to 100, got 95.0 (v1 90.0, v2"
                + " 5.0)")
        .hasMessageContaining(
            "t.yaml:15: routes.negative.split.weights: weight of v2 must be ≥ 0, was -10.0")
        .hasMessageContaining(
            "t.yaml:21: routes.unknown.split.weights.v3: unknown cluster \"v3\" (clusters: v1, v2,"
                + " legacy)")
        .hasMessageContaining(
            "t.yaml:27: routes.pointer.shadow.ignore: JSON pointer \"time\" must be empty or start"
                + " with /")
        .hasMessageContaining("t.yaml:33: routes.parts.aggregate.parts.product: duplicate key")
        .hasMessageContaining(
            "t.yaml:36: routes.strangle.strangler: legacy and new are the same cluster \"v1\"")
        .hasMessageContaining(
            "t.yaml:36: routes.strangle.strangler.share: share must be 0 to 100 (percent), was"
                + " 120.0")
        .hasMessageContaining(
            "t.yaml:38: routes.both: route \"both\" needs exactly one of cluster, redirect, split (or"
                + " strangler) or aggregate")
        .hasMessageContaining(
            "t.yaml:42: routes.nothing: route \"nothing\" needs exactly one of cluster, redirect,"
                + " split")
        .hasMessageContaining(
            "t.yaml:45: routes.placeholders: part a: path \"/x/{id}\" uses {id} but the route's"
                + " match has no such template segment")
        .hasMessageContaining(
            "t.yaml:49: routes.placeholders.aggregate.parts._partial: part name \"_partial\" must"
                + " not be empty or start with _ (reserved)")
        // one problem, one line: no follow-on errors from a value already reported
        .hasMessageContaining("(11 problems)")
        .hasMessageNotContaining("route \"sum\"")
        .hasMessageNotContaining("route \"unknown\"")
        .hasMessageNotContaining("route \"strangle\"")
        .hasMessageNotContaining("got 50.0");
  }

  @Test
  void aMalformedPointerEscapeAndAForeignSubPathAreRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    HEAD
                        + """
                          p:
                            match: {path-prefix: /d}
                            cluster: v1
                            shadow: {cluster: v2, ignore: ["/a~2b"]}
                          s:
                            match: {path-prefix: /orders}
                            strangler: {legacy: legacy, new: v2, share: 10, paths: {/elsewhere: 10}}
                        """))
        .hasMessageContaining(
            "t.yaml:11: routes.p.shadow.ignore: JSON pointer \"/a~2b\" has a ~ not followed by 0 or 1")
        .hasMessageContaining(
            "routes.s: split path \"/elsewhere\" is not under the route's prefix \"/orders\"");
  }

  @Test
  void sidecarRoleBuildsTwoListenersAndOutboundRoutes() {
    GatewayConfig c =
        parse(
            """
            role: sidecar
            sidecar:
              service: 127.0.0.1:8081
              inbound: {port: 15000}
              outbound: {port: 15001}
              retry: {attempts: 3, on-status: [503]}
              circuit-breaker: {failure-rate-threshold: 0.5}
            clusters:
              inventory: {endpoints: [inventory.internal:80]}
            routes:
              pinned:
                match: {path-prefix: /special}
                cluster: inventory
            """);
    assertThat(c.listeners().keySet()).containsExactlyInAnyOrder("inbound", "outbound");
    assertThat(c.listeners().get("inbound").port()).isEqualTo(15000);
    assertThat(c.clusters().get("local").egressAllow()).contains(AddressClass.LOOPBACK);
    assertThat(c.routes())
        .extracting(RouteConfig::name)
        .containsExactly("pinned", "inbound", "outbound-inventory");
    assertThat(c.routes().get(0).traffic().listeners()).containsExactly("outbound");
    assertThat(c.routes().get(1).traffic().listeners()).containsExactly("inbound");
    RouteConfig out = c.routes().get(2);
    assertThat(out.match().hosts()).containsExactly("inventory");
    assertThat(out.retry().attempts()).isEqualTo(3);
    assertThat(out.circuitBreaker()).isNotNull();
  }

  @Test
  void aSidecarListenerKeepsItsEdgeSettingsAndConnectionLimit() {
    GatewayConfig c =
        parse(
            """
            role: sidecar
            sidecar:
              service: 127.0.0.1:8081
              inbound:
                port: 15000
                request-head-timeout: 3s
                max-connections-per-client: 5
                compression: {enabled: true}
              outbound: {port: 15001, absolute-form: true, max-connections-per-client: 0}
            """);
    ListenerConfig in = c.listeners().get("inbound");
    assertThat(in.edge().requestHeadTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(in.edge().compression().enabled()).isTrue();
    assertThat(in.maxConnectionsPerClient()).isEqualTo(5);
    ListenerConfig out = c.listeners().get("outbound");
    assertThat(out.edge().absoluteForm()).isTrue();
    assertThat(out.maxConnectionsPerClient()).isZero();
  }

  @Test
  void sidecarMistakesAreReported() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    role: sidecar
                    listeners:
                      public: {port: 1}
                    sidecar:
                      service: 127.0.0.1:8081
                      inbound: {port: 15000}
                    clusters:
                      local: {endpoints: [x.internal:80]}
                    """))
        .hasMessageContaining("t.yaml:1: listeners: a sidecar defines its listeners")
        .hasMessageContaining("sidecar.outbound: is required")
        .hasMessageContaining("cluster name \"local\" is reserved");
    assertThatThrownBy(() -> parse("role: mesh\nlisteners: {p: {port: 1}}\n"))
        .hasMessageContaining("t.yaml:1: role: role must be edge or sidecar, was \"mesh\"");
  }

  @Test
  void brotliIsOfferedOnlyWhenAskedAndItsQualityIsChecked() {
    GatewayConfig c =
        parse(
            """
            listeners:
              gz: {port: 1, compression: {enabled: true}}
              br: {port: 2, compression: {enabled: true, brotli: true, brotli-quality: 11}}
            """);
    assertThat(c.listeners().get("gz").edge().compression().brotli()).isFalse();
    CompressionConfig br = c.listeners().get("br").edge().compression();
    assertThat(br.brotli()).isTrue();
    assertThat(br.brotliQuality()).isEqualTo(11);
    assertThat(br.level()).isEqualTo(6);
    assertThatThrownBy(
            () ->
                parse(
                    """
                    listeners:
                      br: {port: 2, compression: {enabled: true, brotli: true, brotli-quality: 12}}
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("t.yaml:2")
        .hasMessageContaining("brotli-quality must be 0 to 11, was 12");
    assertThatThrownBy(
            () ->
                parse(
                    """
                    listeners:
                      br: {port: 2, compression: {enabled: true, brotli: "yes please"}}
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("t.yaml:2")
        .hasMessageContaining("brotli");
  }
}
