package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigException;
import io.bulwark.core.config.ConfigLoader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every bad security value is reported as {@code file:line: field: message}. */
class GatewaySecurityConfigTest {

  static GatewayConfig parse(String routeBody) {
    String yaml =
        """
        listeners:
          public: {port: 0}
        clusters:
          up: {endpoints: ["127.0.0.1:1"], egress-allow: [loopback]}
        routes:
          r:
            match: {path-prefix: /}
            cluster: up
        """
            + routeBody.indent(4);
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "sec.yaml", GatewayConfig::bind);
  }

  static void rejected(String routeBody, String expected) {
    assertThatThrownBy(() -> parse(routeBody))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(expected);
  }

  static final String JWT_HEAD =
      """
      jwt:
        issuer: https://issuer.test
        audiences: [api]
        jwks-url: https://issuer.test/jwks
      """;

  @Test
  void aValidSectionBindsWithItsDefaults() {
    RouteSecurity s =
        parse(
                JWT_HEAD
                    + """
                      required-claims: [sub]
                    rate-limits:
                      per-sub: {key: "claim:sub", permits: 10, period: 1s}
                    concurrency: {algorithm: vegas, max-limit: 50}
                    """)
            .routes()
            .getFirst()
            .security();
    RouteSecurity.Jwt jwt = s.jwt();
    assertThat(jwt).isNotNull();
    assertThat(jwt.algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
    assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jwt.maxTokenBytes()).isEqualTo(8192);
    assertThat(s.rateLimits().get("per-sub").maxKeys()).isEqualTo(10_000);
    assertThat(s.concurrency()).isNotNull();
    assertThat(parse("").routes().getFirst().security().isEmpty()).isTrue();
  }

  @Test
  void jwtMistakesAreReportedWithTheirLine() {
    rejected(
        JWT_HEAD + "  algorithms: [RS256, XS999]\n",
        "sec.yaml:13: routes.r.jwt.algorithms: unknown algorithm \"XS999\"");
    rejected(
        JWT_HEAD + "  algorithms: [none]\n",
        "sec.yaml:13: routes.r.jwt.algorithms: algorithm \"none\" is never accepted");
    rejected(JWT_HEAD + "  clock-skew: soon\n", "sec.yaml:13: routes.r.jwt.clock-skew:");
    rejected(JWT_HEAD + "  clock-skew: 1h\n", "clock-skew must be 0 to 5m");
    rejected(
        JWT_HEAD + "  max-token-bytes: -5\n",
        "sec.yaml:13: routes.r.jwt.max-token-bytes: max-token-bytes must be > 0, was -5");
    rejected(
        """
        jwt:
          issuer: https://issuer.test
          audiences: [api]
        """,
        "sec.yaml:10: routes.r.jwt: jwt needs jwks-url (a JWKS endpoint) or keys");
    rejected(
        """
        jwt:
          issuer: https://issuer.test
          audiences: [api]
          jwks-url: file:///etc/passwd
        """,
        "sec.yaml:12: routes.r.jwt.jwks-url: jwks-url \"file:///etc/passwd\" must be an absolute http(s) URL");
    rejected(
        """
        jwt:
          issuer: https://issuer.test
          jwks-url: https://issuer.test/jwks
        """,
        "routes.r.jwt.audiences: is required");
  }

  @Test
  void rateLimitMistakesAreReportedWithTheirLine() {
    rejected(
        """
        rate-limits:
          a: {key: ip, permits: -1}
        """,
        "sec.yaml:10: routes.r.rate-limits.a.permits:");
    rejected(
        """
        rate-limits:
          a: {key: "cookie:sid", permits: 1}
        """,
        "sec.yaml:10: routes.r.rate-limits.a.key: unknown rate limit key \"cookie\"");
    rejected(
        """
        rate-limits:
          a: {key: ip, permits: 1, max-keys: 0}
        """,
        "sec.yaml:10: routes.r.rate-limits.a.max-keys: max-keys must be > 0, was 0");
    rejected(
        """
        rate-limits:
          a: {key: "claim:tenant", permits: 1}
        """,
        "unknown claim ref \"claim:tenant\"");
    rejected(
        JWT_HEAD
            + """
            rate-limits:
              a: {key: "claim:tenant", permits: 1}
            """,
        "unknown claim ref \"claim:tenant\": the route's jwt must list \"tenant\" in required-claims");
    rejected(
        """
        rate-limits:
          a: {key: ip, permits: 1, period: fortnight}
        """,
        "sec.yaml:10: routes.r.rate-limits.a.period:");
  }

  @Test
  void concurrencyAndListenerLimitMistakesAreReported() {
    rejected("concurrency: {algorithm: magic}\n", "sec.yaml:9: routes.r.concurrency.algorithm:");
    assertThatThrownBy(
            () ->
                ConfigLoader.withEnv(Map.of())
                    .parse(
                        """
                        listeners:
                          public: {port: 0, max-connections-per-client: -1}
                        """,
                        "sec.yaml",
                        GatewayConfig::bind))
        .hasMessageContaining(
            "sec.yaml:2: listeners.public.max-connections-per-client: must be ≥ 0 (0: no limit), was -1");
  }
}
