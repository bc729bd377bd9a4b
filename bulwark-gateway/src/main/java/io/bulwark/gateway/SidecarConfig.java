package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.resilience.CircuitBreakerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar (ambassador) role of the gateway: the same config model, written as {@code role:
 * sidecar}, compiled into a plain {@link GatewayConfig} with two listeners.
 *
 * <ul>
 *   <li>{@value #INBOUND} — in front of the one local service: every request goes to the cluster
 *       {@value #LOCAL} (the {@code service} address, loopback allowed).
 *   <li>{@value #OUTBOUND} — for the service's own calls: a request whose {@code Host} is the name
 *       of a configured cluster goes to that cluster, with the sidecar's retries and circuit
 *       breaker; the egress guard applies as at the edge. Routes written in the file serve the
 *       outbound listener unless they name their {@code listeners}.
 * </ul>
 *
 * <p>YAML: {@code role: sidecar}, {@code sidecar: {service, inbound, outbound, retry,
 * circuit-breaker, timeout}} ({@code inbound}/{@code outbound} take the listener keys), then {@code
 * clusters}, {@code routes} and {@code admin} as at the edge; {@code listeners} is not written (the
 * sidecar defines them).
 */
public final class SidecarConfig {
  /** The inbound listener's name. */
  public static final String INBOUND = "inbound";

  /** The outbound listener's name. */
  public static final String OUTBOUND = "outbound";

  /** The cluster of the local service. */
  public static final String LOCAL = "local";

  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");

  private SidecarConfig() {}

  /**
   * The gateway config of a sidecar in front of {@code service}.
   *
   * @param inbound the inbound listener (its name is replaced by {@value #INBOUND})
   * @param outbound the outbound listener (its name is replaced by {@value #OUTBOUND})
   * @param clusters the clusters the service may call through the outbound listener
   * @param retry the retries of every outbound call
   * @param breaker the circuit breaker of each outbound cluster's route, or null for none
   * @param routes extra routes (they serve the outbound listener unless they name listeners)
   */
  public static GatewayConfig of(
      Endpoint service,
      ListenerConfig inbound,
      ListenerConfig outbound,
      Map<String, ClusterConfig> clusters,
      RouteConfig.Retry retry,
      @Nullable CircuitBreakerConfig breaker,
      java.time.Duration timeout,
      List<RouteConfig> routes,
      AdminConfig admin) {
    if (clusters.containsKey(LOCAL)) {
      throw new IllegalArgumentException(
          "cluster name \"" + LOCAL + "\" is reserved for the sidecar's local service");
    }
    Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
    listeners.put(INBOUND, renamed(inbound, INBOUND));
    listeners.put(OUTBOUND, renamed(outbound, OUTBOUND));
    Map<String, ClusterConfig> all = new LinkedHashMap<>(clusters);
    all.put(
        LOCAL,
        ClusterConfig.of(LOCAL, List.of(service))
            .allowing(AddressClass.LOOPBACK, AddressClass.PRIVATE));
    List<RouteConfig> out = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (RouteConfig r : routes) {
      names.add(r.name());
      out.add(
          r.traffic().listeners().isEmpty()
              ? r.withTraffic(r.traffic().onListeners(List.of(OUTBOUND)))
              : r);
    }
    out.add(
        RouteConfig.to(INBOUND, RouteMatch.path(RouteMatch.PathKind.PREFIX, "/"), LOCAL)
            .withTraffic(TrafficConfig.NONE.onListeners(List.of(INBOUND))));
    for (String c : clusters.keySet()) {
      String routeName = OUTBOUND + "-" + c;
      if (names.contains(routeName) || !HOST_NAME.matcher(c).matches()) {
        continue; // written by hand, or not a host name: only explicit routes reach it
      }
      RouteConfig base =
          RouteConfig.to(routeName, RouteMatch.path(RouteMatch.PathKind.PREFIX, "/").hosts(c), c);
      out.add(
          new RouteConfig(
                  base.name(),
                  base.match(),
                  c,
                  null,
                  timeout,
                  retry,
                  breaker,
                  RouteConfig.HeaderTransform.NONE,
                  RouteConfig.HeaderTransform.NONE,
                  null,
                  null,
                  RouteSecurity.NONE,
                  TrafficConfig.NONE)
              .withTraffic(TrafficConfig.NONE.onListeners(List.of(OUTBOUND))));
    }
    return new GatewayConfig(listeners, all, out, admin);
  }

  private static ListenerConfig renamed(ListenerConfig l, String name) {
    return new ListenerConfig(
        name,
        l.host(),
        l.port(),
        l.maxHeaderBytes(),
        l.maxUriLength(),
        l.maxBodyBytes(),
        l.idleTimeout(),
        l.trustedProxies(),
        l.edge(),
        l.maxConnectionsPerClient());
  }

  /** Binds a document with {@code role: sidecar} (the role key is already read). */
  static GatewayConfig bind(ConfigReader r) {
    r.require("sidecar");
    if (r.has("listeners")) {
      r.strings("listeners", l -> {}); // read, so that only the message below reports it
      r.reject("listeners: a sidecar defines its listeners (sidecar.inbound, sidecar.outbound)");
    }
    Map<String, ClusterConfig> clusters =
        new LinkedHashMap<>(r.namedSections("clusters", ClusterConfig::bind));
    if (clusters.remove(LOCAL) != null) {
      r.reject(
          "clusters: cluster name \"" + LOCAL + "\" is reserved for the sidecar's local service");
    }
    Set<String> known = new LinkedHashSet<>(clusters.keySet());
    known.add(LOCAL);
    Map<String, RouteConfig> routes =
        r.namedSections("routes", (name, section) -> RouteConfig.bind(name, section, known));
    AdminConfig admin = r.section("admin", AdminConfig::bind);
    @Nullable GatewayConfig[] out = {null};
    r.section(
        "sidecar",
        s -> {
          Endpoint[] service = {Endpoint.of("placeholder", 1)};
          java.time.Duration[] timeout = {java.time.Duration.ofSeconds(15)};
          s.require("service")
              .require("inbound")
              .require("outbound")
              .string("service", v -> service[0] = Endpoint.parse(v))
              .duration("timeout", v -> timeout[0] = v);
          ListenerConfig in = s.section(INBOUND, x -> ListenerConfig.bind(INBOUND, x));
          ListenerConfig outL = s.section(OUTBOUND, x -> ListenerConfig.bind(OUTBOUND, x));
          RouteConfig.Retry retry = s.section("retry", RouteConfig.Retry::bind);
          CircuitBreakerConfig breaker = s.section("circuit-breaker", CircuitBreakerConfig::bind);
          if (in == null || outL == null) {
            return Boolean.FALSE; // already reported
          }
          out[0] =
              of(
                  service[0],
                  in,
                  outL,
                  clusters,
                  retry == null ? RouteConfig.Retry.defaults() : retry,
                  breaker,
                  timeout[0],
                  List.copyOf(routes.values()),
                  admin == null ? AdminConfig.defaults() : admin);
          return Boolean.TRUE;
        });
    GatewayConfig config = out[0];
    if (config == null) {
      throw new IllegalArgumentException("the sidecar section is invalid");
    }
    return config;
  }
}
