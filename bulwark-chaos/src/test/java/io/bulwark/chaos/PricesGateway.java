package io.bulwark.chaos;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.ServerConfig;
import io.vertx.core.Vertx;
import java.util.Map;

/**
 * What the gateway fault tests share: a real "prices" upstream server and the config of a gateway
 * in front of it (listener {@code public} and admin on port 0, cluster {@code prices}).
 */
final class PricesGateway {
  private PricesGateway() {}

  /** A builder of the upstream: service {@code prices}, instance {@code prices-1}, one loop. */
  static BulwarkServer.Builder upstream(Vertx vertx) {
    return BulwarkServer.builder()
        .vertx(vertx)
        .eventLoops(1)
        .config(ServerConfig.builder().service("prices").instance("prices-1").build());
  }

  /**
   * The gateway config: cluster {@code prices} at {@code 127.0.0.1:port} (loopback egress allowed)
   * with {@code clusterKeys} (further keys of the cluster, one per line, or empty), and {@code
   * routes} (the named routes, as under {@code routes:}).
   */
  static GatewayConfig config(int port, String clusterKeys, String routes) {
    String yaml =
        """
        listeners:
          public: {port: 0}
        admin: {port: 0}
        clusters:
          prices:
            endpoints: [127.0.0.1:%d]
            egress-allow: [loopback]
        """
                .formatted(port)
            + clusterKeys.stripIndent().indent(4)
            + "routes:\n"
            + routes.stripIndent().indent(2);
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "gateway.yaml", GatewayConfig::bind);
  }
}
