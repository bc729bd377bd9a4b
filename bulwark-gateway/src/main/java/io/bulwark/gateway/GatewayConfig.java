package io.bulwark.gateway;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole config of one gateway: listeners, upstream clusters, routes (in file order, which is
 * their priority among routes with the same path rule) and the admin listener. Immutable; the
 * gateway compiles one routing snapshot from it and swaps snapshots whole on reload.
 *
 * <p>YAML: {@code listeners}, {@code clusters} and {@code routes} are maps of named sections;
 * {@code admin} is one section. {@link #bind} is the binder entry point; {@link #load} reads a file
 * and throws every problem at once as {@code file:line: field: message}.
 */
public record GatewayConfig(
    Map<String, ListenerConfig> listeners,
    Map<String, ClusterConfig> clusters,
    List<RouteConfig> routes,
    AdminConfig admin) {

  public GatewayConfig {
    listeners = Map.copyOf(listeners);
    clusters = Map.copyOf(clusters);
    routes = List.copyOf(routes);
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("a gateway needs at least one listener");
    }
    List<String> names = new ArrayList<>();
    for (RouteConfig r : routes) {
      if (names.contains(r.name())) {
        throw new IllegalArgumentException("two routes are named \"" + r.name() + "\"");
      }
      names.add(r.name());
      String cluster = r.cluster();
      if (cluster != null && !clusters.containsKey(cluster)) {
        throw new IllegalArgumentException(
            "route \"" + r.name() + "\" names unknown cluster \"" + cluster + "\"");
      }
      // traffic (gtraffic): split/shadow/aggregate clusters and listener scoping
      for (String c : r.traffic().clusters()) {
        if (!clusters.containsKey(c)) {
          throw new IllegalArgumentException(
              "route \"" + r.name() + "\" names unknown cluster \"" + c + "\"");
        }
      }
      for (String l : r.traffic().listeners()) {
        if (!listeners.containsKey(l)) {
          throw new IllegalArgumentException(
              "route \"" + r.name() + "\" names unknown listener \"" + l + "\"");
        }
      }
    }
  }

  /** Reads and binds {@code file} (with {@code ${ENV}} substitution from the process). */
  public static GatewayConfig load(Path file) {
    return ConfigLoader.withSystemEnv().load(file, GatewayConfig::bind);
  }

  /** Binds a gateway document. */
  public static GatewayConfig bind(ConfigReader r) {
    // role (gtraffic): edge (default) or sidecar, one config model
    boolean[] sidecar = {false};
    r.string(
        "role",
        v -> {
          if (!v.equals("edge") && !v.equals("sidecar")) {
            throw new IllegalArgumentException("role must be edge or sidecar, was \"" + v + "\"");
          }
          sidecar[0] = v.equals("sidecar");
        });
    if (sidecar[0]) {
      return SidecarConfig.bind(r);
    }
    r.require("listeners");
    Map<String, ListenerConfig> listeners = r.namedSections("listeners", ListenerConfig::bind);
    Map<String, ClusterConfig> clusters = r.namedSections("clusters", ClusterConfig::bind);
    Map<String, RouteConfig> routes =
        r.namedSections(
            "routes", (name, section) -> RouteConfig.bind(name, section, clusters.keySet()));
    AdminConfig admin = r.section("admin", AdminConfig::bind);
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("a gateway needs at least one valid listener");
    }
    return new GatewayConfig(
        new LinkedHashMap<>(listeners),
        clusters,
        List.copyOf(routes.values()),
        admin == null ? AdminConfig.defaults() : admin);
  }
}
