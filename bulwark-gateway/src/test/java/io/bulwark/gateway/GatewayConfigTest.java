package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.http.lb.Balancing;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  static GatewayConfig parse(String yaml) {
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "gw.yaml", GatewayConfig::bind);
  }

  static final String VALID =
      """
      listeners:
        public:
          host: 0.0.0.0
          port: 8080
          max-body-bytes: 1048576
          trusted-proxies: [10.0.0.0/8]
      clusters:
        orders:
          endpoints: [orders-1.internal:8081, orders-2.internal:8081]
          balancer: least-request
          protocol: h2c
          egress-allow: [private]
          outlier:
            consecutive-failures: 3
          retry-budget:
            ratio: 0.1
      routes:
        orders:
          match:
            hosts: [api.example.com]
            path-template: /orders/{id}
            methods: [GET, PUT]
            headers: {x-canary: "1"}
          cluster: orders
          timeout: 2s
          retry:
            attempts: 3
            on-status: [503]
          request-headers:
            set: {x-route: orders}
            remove: [x-debug]
          cors:
            allow-origins: [https://shop.example.com]
        old-site:
          match:
            path-prefix: /old
          redirect:
            to: https://new.example.com
            status: 301
      admin:
        port: 9902
      """;

  @Test
  void bindsEverySectionWithKebabCaseKeys() {
    GatewayConfig c = parse(VALID);

    assertThat(c.listeners().get("public").trustedProxies()).hasSize(1);
    assertThat(c.listeners().get("public").maxBodyBytes()).isEqualTo(1_048_576);
    ClusterConfig orders = c.clusters().get("orders");
    assertThat(orders.endpoints()).hasSize(2);
    assertThat(orders.balancing()).isEqualTo(Balancing.LEAST_REQUEST);
    assertThat(orders.protocol()).isEqualTo(ClusterConfig.Protocol.H2C);
    assertThat(orders.egressAllow()).containsExactly(AddressClass.PRIVATE);
    assertThat(orders.outlier().consecutiveFailures()).isEqualTo(3);
    assertThat(orders.retryBudget().ratio()).isEqualTo(0.1);
    assertThat(c.routes()).extracting(RouteConfig::name).containsExactly("orders", "old-site");
    RouteConfig r = c.routes().getFirst();
    assertThat(r.match().pathKind()).isEqualTo(RouteMatch.PathKind.TEMPLATE);
    assertThat(r.match().methods()).containsExactlyInAnyOrder("GET", "PUT");
    assertThat(r.match().headers()).containsEntry("x-canary", "1");
    assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(r.retry().attempts()).isEqualTo(3);
    assertThat(r.retry().onStatus()).containsExactly(503);
    assertThat(r.requestHeaders().set()).containsEntry("x-route", "orders");
    assertThat(c.routes().get(1).redirect().status()).isEqualTo(301);
    assertThat(c.admin().port()).isEqualTo(9902);
    assertThat(c.admin().host()).isEqualTo("127.0.0.1");
  }

  @Test
  void reportsEveryProblemWithFileLineAndField() {
    String yaml =
        """
        listeners:
          public:
            port: 70000
        clusters:
          orders:
            endpoints: [orders:8081]
            egress-allow: [everything]
          empty:
            balancer: random
        routes:
          a:
            match:
              path-template: /orders/x{id}
            cluster: nowhere
          b:
            match:
              path: /x
              path-prefix: /y
            cluster: orders
            retry:
              attempts: 0
          c:
            match:
              path-prefix: /c
            cluster: orders
            cors:
              allow-origins: ["*"]
              allow-credentials: true
          d:
            match:
              path-prefix: /d
            cluster: orders
            maxBody: 3
          e:
            match:
              path: /e
            cluster: nowhere
        admin:
          host: 0.0.0.0
        """;

    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "gw.yaml:3: listeners.public.port: port must be 0 to 65535, was 70000")
        .hasMessageContaining("gw.yaml:7: clusters.orders.egress-allow")
        .hasMessageContaining("\"everything\"")
        .hasMessageContaining("gw.yaml:9: clusters.empty.balancer")
        .hasMessageContaining("clusters.empty: cluster \"empty\" needs exactly one of endpoints")
        .hasMessageContaining("gw.yaml:13: routes.a.match")
        .hasMessageContaining("a {name} must be a whole segment")
        .hasMessageContaining(
            "gw.yaml:37: routes.e.cluster: unknown cluster \"nowhere\" (clusters: orders)")
        .hasMessageContaining("routes.b.match: give one of path, path-prefix")
        .hasMessageContaining("attempts must be 1 to 10, was 0")
        .hasMessageContaining("allow-credentials cannot be combined")
        .hasMessageContaining("gw.yaml:33: routes.d.maxBody: keys are kebab-case")
        .hasMessageContaining(
            "gw.yaml:39: admin: admin host \"0.0.0.0\" is not a loopback address");
  }

  @Test
  void anInvalidHeaderValueOrRedirectIsRefusedByName() {
    assertThatThrownBy(
            () ->
                new RouteConfig.HeaderTransform(
                    Map.of("x-a", "ok\r\nset-cookie: evil"), java.util.List.of()))
        .hasMessageContaining("\"x-a\"")
        .hasMessageContaining("control character");
    assertThatThrownBy(() -> new RouteConfig.Redirect("/relative", 301, true))
        .hasMessageContaining("\"/relative\"");
    assertThatThrownBy(() -> new RouteConfig.Redirect("https://x.io", 200, true))
        .hasMessageContaining("was 200");
  }

  @Test
  void egressClassesNameTheMetadataAndPrivateRanges() throws Exception {
    assertThat(cls("169.254.169.254")).isEqualTo(AddressClass.METADATA);
    assertThat(cls("fd00:ec2::254")).isEqualTo(AddressClass.METADATA);
    assertThat(cls("169.254.1.1")).isEqualTo(AddressClass.LINK_LOCAL);
    assertThat(cls("fe80::1")).isEqualTo(AddressClass.LINK_LOCAL);
    assertThat(cls("127.0.0.1")).isEqualTo(AddressClass.LOOPBACK);
    assertThat(cls("::1")).isEqualTo(AddressClass.LOOPBACK);
    assertThat(cls("::ffff:127.0.0.1")).isEqualTo(AddressClass.LOOPBACK);
    assertThat(cls("::ffff:169.254.169.254")).isEqualTo(AddressClass.METADATA);
    assertThat(cls("10.1.2.3")).isEqualTo(AddressClass.PRIVATE);
    assertThat(cls("172.31.255.255")).isEqualTo(AddressClass.PRIVATE);
    assertThat(cls("172.32.0.1")).isEqualTo(AddressClass.PUBLIC);
    assertThat(cls("100.64.0.1")).isEqualTo(AddressClass.PRIVATE);
    assertThat(cls("fd12::1")).isEqualTo(AddressClass.PRIVATE);
    assertThat(cls("0.0.0.0")).isEqualTo(AddressClass.UNSPECIFIED);
    assertThat(cls("::")).isEqualTo(AddressClass.UNSPECIFIED);
    assertThat(cls("224.0.0.1")).isEqualTo(AddressClass.RESERVED);
    assertThat(cls("8.8.8.8")).isEqualTo(AddressClass.PUBLIC);
    assertThat(cls("2001:4860::8888")).isEqualTo(AddressClass.PUBLIC);
  }

  private static AddressClass cls(String literal) throws Exception {
    return AddressClass.of(java.net.InetAddress.getByName(literal));
  }
}
