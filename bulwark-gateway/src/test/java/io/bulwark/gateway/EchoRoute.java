package io.bulwark.gateway;

/**
 * The gateway config of tests that need one proxied route: listener {@code public} and the admin
 * listener on port 0, cluster {@code up} on one loopback upstream, and route {@code echo} on {@code
 * /echo} to it.
 */
final class EchoRoute {
  private EchoRoute() {}

  /**
   * The config for an upstream at {@code endpoint} ({@code host:port}); {@code routeKeys} are
   * further keys of the echo route, one per line (e.g. its {@code circuit-breaker}), or empty.
   */
  static GatewayConfig config(String endpoint, String routeKeys) {
    String yaml =
        """
        listeners:
          public: {port: 0}
        admin: {port: 0}
        clusters:
          up:
            endpoints: [%s]
            egress-allow: [loopback]
        routes:
          echo:
            match: {path-prefix: /echo}
            cluster: up
        """
                .formatted(endpoint)
            + routeKeys.stripIndent().indent(4);
    return GatewayProxyTest.parse(yaml);
  }
}
