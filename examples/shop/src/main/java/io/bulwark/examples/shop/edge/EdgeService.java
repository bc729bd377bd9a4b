package io.bulwark.examples.shop.edge;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.examples.shop.common.Customer;
import io.bulwark.examples.shop.common.Resources;
import io.bulwark.examples.shop.common.Settings;
import io.bulwark.gateway.Gateway;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.gateway.GatewayStats;
import io.bulwark.gateway.RouteConfig;
import io.bulwark.http.Response;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shop's gateway service: bulwark-gateway's edge role, configured by {@value #CONFIG}, running
 * as an instance of the shop's system. It is the only entrance the users (the load generator, the
 * demo, the tests) call: anonymous browsing, {@code POST /login}, customer routes that need a token
 * from the identity service (verified against its JWKS; the customer id goes upstream as {@code
 * x-customer-id}), per-customer and per-client rate limits, the {@code /legacy} strangler split and
 * the BFF routes.
 *
 * <p>The gateway's public listener has a port of its own (setting {@value #PORT_SETTING}, default
 * any free port); the instance's Bulwark server (health, metrics) answers {@code GET /edge} with
 * {@code {"port": P, "adminPort": A}} so a caller finds it in either runtime mode. The config is
 * validated when the instance starts: a bad file fails the start with {@code file:line: field:
 * message} errors. With resilience off the same config runs without the routes' retries and circuit
 * breakers ({@link #withoutResilience}); security and limits stay.
 */
public final class EdgeService {
  /** The gateway config shipped with the shop. */
  public static final String CONFIG = "shop/gateway.yaml";

  /** The setting with the public listener's port (0 or absent: any free port). */
  public static final String PORT_SETTING = "edgePort";

  /** The header the gateway fills with the verified customer id. */
  public static final String CUSTOMER_HEADER = Customer.HEADER;

  /** The answer of {@code GET /edge}. */
  public record EdgePorts(int port, int adminPort) {}

  private EdgeService() {}

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) {
    List<Endpoint> identity = ctx.discovery().endpoints("identity");
    if (identity.isEmpty()) {
      throw new IllegalStateException(
          ctx.instanceId() + ": no ready identity instance to take the JWKS from");
    }
    Endpoint id = identity.getFirst();
    String jwks = "http://" + id.host() + ":" + id.port() + "/.well-known/jwks.json";
    GatewayConfig config = config(jwks, port(ctx), Settings.resilience(ctx));
    Gateway gateway =
        Gateway.builder(config)
            .discovery(ctx.discovery())
            .scheduler(ctx.scheduler())
            .telemetry(ctx.telemetry())
            .start();
    EdgePorts ports = new EdgePorts(gateway.port("public"), gateway.adminPort());
    ctx.server().get("/edge", req -> Response.json(ports));
    Path key = ctx.storage().toAbsolutePath();
    RUNNING.put(key, gateway);
    // closed in reverse: out of the registry first, then the gateway
    return ServiceInstance.of(gateway, () -> RUNNING.remove(key, gateway));
  }

  /** The gateways running in this JVM, by their instance's storage directory. */
  private static final Map<Path, Gateway> RUNNING = new ConcurrentHashMap<>();

  /**
   * The stats of the gateway whose instance runs in this JVM with storage {@code storage} (for the
   * dashboard's gateway panel, {@code () -> EdgeService.stats(instance.storage())}).
   *
   * @throws IllegalStateException naming the directory when no such gateway runs here (stopped,
   *     restarting, or in another process)
   */
  public static GatewayStats stats(Path storage) {
    Gateway g = RUNNING.get(storage.toAbsolutePath());
    if (g == null) {
      throw new IllegalStateException(
          "no gateway of this JVM runs with storage " + storage + " (stopped, or another process)");
    }
    return g.stats();
  }

  /**
   * The shop's gateway config: {@value #CONFIG} with {@code jwksUrl} and {@code port}, and without
   * retries and breakers when {@code resilience} is off.
   *
   * @throws io.bulwark.core.config.ConfigException with every problem of the file
   */
  public static GatewayConfig config(String jwksUrl, int port, boolean resilience) {
    GatewayConfig config =
        ConfigLoader.withEnv(
                Map.of("SHOP_JWKS_URL", jwksUrl, "SHOP_EDGE_PORT", Integer.toString(port)))
            .parse(Resources.text(CONFIG), CONFIG, GatewayConfig::bind);
    return resilience ? config : withoutResilience(config);
  }

  /** {@code config} with one attempt and no circuit breaker on every route. */
  public static GatewayConfig withoutResilience(GatewayConfig config) {
    RouteConfig.Retry once = new RouteConfig.Retry(1, Set.of(), false, false);
    List<RouteConfig> routes =
        config.routes().stream()
            .map(
                r ->
                    new RouteConfig(
                        r.name(),
                        r.match(),
                        r.cluster(),
                        r.redirect(),
                        r.timeout(),
                        once,
                        null,
                        r.requestHeaders(),
                        r.responseHeaders(),
                        r.rewritePrefix(),
                        r.cors(),
                        r.security(),
                        r.traffic()))
            .toList();
    return new GatewayConfig(config.listeners(), config.clusters(), routes, config.admin());
  }

  private static int port(InstanceContext ctx) {
    String v = ctx.setting(PORT_SETTING, "0");
    try {
      int port = Integer.parseInt(v);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException("out of range");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "setting " + PORT_SETTING + " of " + ctx.instanceId() + " must be 0..65535, was " + v, e);
    }
  }
}
