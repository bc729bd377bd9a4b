package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.ClusterConfig;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.gateway.RouteConfig;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.resilience.CircuitBreakerConfig;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One config compiled for serving: the route matcher, each route's runtime (RED recorder, circuit
 * breaker, cluster) and the clusters. Immutable once built; a request reads the snapshot current
 * when it arrived until it ends, so a reload never changes a request half way.
 */
final class Snapshot {

  /** A route at run time. */
  record Route(
      RouteConfig config,
      RedRecorder red,
      @Nullable CircuitBreaker breaker,
      @Nullable ClusterRuntime cluster,
      AdmissionChain admission,
      @Nullable RouteTraffic traffic) {}

  /** The routes one listener serves (traffic: routes may name their listeners). */
  static final class Table {
    private final RouteMatcher matcher;
    private final Route[] routes;

    Table(RouteMatcher matcher, Route[] routes) {
      this.matcher = matcher;
      this.routes = routes;
    }

    RouteMatcher matcher() {
      return matcher;
    }

    Route route(int index) {
      return routes[index];
    }
  }

  final long version;

  /** Requests that started on this snapshot and have not ended (see {@link InFlight}). */
  final java.util.concurrent.atomic.AtomicLong inFlight =
      new java.util.concurrent.atomic.AtomicLong();

  /** What runs once {@link #inFlight} drops to zero after a reload retired this snapshot. */
  final java.util.concurrent.atomic.AtomicReference<@Nullable Runnable> onDrained =
      new java.util.concurrent.atomic.AtomicReference<>();

  final GatewayConfig config;
  final RouteMatcher matcher;
  final Route[] routes;
  final Map<String, ClusterRuntime> clusters;
  private final Map<String, Table> byListener;
  private final Table all;

  private Snapshot(
      long version,
      GatewayConfig config,
      RouteMatcher matcher,
      Route[] routes,
      Map<String, ClusterRuntime> clusters) {
    this.version = version;
    this.config = config;
    this.matcher = matcher;
    this.routes = routes;
    this.clusters = clusters;
    this.byListener = tables(config, routes);
    this.all = new Table(matcher, routes);
  }

  /** The routes of listener {@code name}: all routes unless some name their listeners. */
  Table table(String listener) {
    Table t = byListener.get(listener);
    return t == null ? all : t;
  }

  private static Map<String, Table> tables(GatewayConfig config, Route[] routes) {
    boolean scoped = false;
    for (Route r : routes) {
      scoped |= !r.config().traffic().listeners().isEmpty();
    }
    if (!scoped) {
      return Map.of();
    }
    Map<String, Table> out = new LinkedHashMap<>();
    for (String l : config.listeners().keySet()) {
      List<Route> mine = new ArrayList<>();
      for (Route r : routes) {
        List<String> ls = r.config().traffic().listeners();
        if (ls.isEmpty() || ls.contains(l)) {
          mine.add(r);
        }
      }
      out.put(
          l,
          new Table(
              RouteMatcher.compile(mine.stream().map(Route::config).toList()),
              mine.toArray(new Route[0])));
    }
    return Map.copyOf(out);
  }

  /**
   * Compiles {@code config}, reusing the clusters and breakers of {@code previous} whose config did
   * not change (so their connection pools, ejections and breaker windows carry over).
   */
  static Snapshot build(
      long version,
      GatewayConfig config,
      @Nullable Snapshot previous,
      Vertx vertx,
      Scheduler scheduler,
      Telemetry telemetry,
      @Nullable ServiceDiscovery discovery,
      Runnable tlsFilesChanged) {
    Map<String, ClusterRuntime> clusters = new LinkedHashMap<>();
    for (ClusterConfig c : config.clusters().values()) {
      ClusterRuntime old = previous == null ? null : previous.clusters.get(c.name());
      clusters.put(
          c.name(),
          old != null && old.reusableFor(c)
              ? old
              : new ClusterRuntime(c, vertx, scheduler, telemetry, discovery, tlsFilesChanged));
    }
    List<RouteConfig> routeConfigs = config.routes();
    Route[] routes = new Route[routeConfigs.size()];
    for (int i = 0; i < routes.length; i++) {
      RouteConfig rc = routeConfigs.get(i);
      Route old = previous == null ? null : previous.route(rc.name());
      CircuitBreakerConfig bc = rc.circuitBreaker();
      CircuitBreaker breaker =
          bc == null
              ? null
              : old != null && old.breaker() != null && bc.equals(old.config().circuitBreaker())
                  ? old.breaker()
                  : CircuitBreaker.of("gateway-route-" + rc.name(), bc, scheduler);
      String cluster = rc.cluster();
      routes[i] =
          new Route(
              rc,
              telemetry.endpoint(rc.name()),
              breaker,
              cluster == null ? null : clusters.get(cluster),
              Admissions.chain(rc, old, scheduler, telemetry),
              RouteTraffic.build(
                  rc,
                  old == null ? null : old.traffic(),
                  clusters,
                  vertx,
                  scheduler.clock(),
                  telemetry));
    }
    return new Snapshot(
        version, config, RouteMatcher.compile(routeConfigs), routes, Map.copyOf(clusters));
  }

  private @Nullable Route route(String name) {
    for (Route r : routes) {
      if (r.config().name().equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** The clusters of this snapshot that {@code next} does not reuse. */
  List<ClusterRuntime> retiredBy(Snapshot next) {
    List<ClusterRuntime> out = new ArrayList<>();
    for (ClusterRuntime c : clusters.values()) {
      if (next.clusters.get(c.config.name()) != c) {
        out.add(c);
      }
    }
    return out;
  }

  /** What changed from {@code before} to {@code after}, one line per route or cluster. */
  static List<String> diff(GatewayConfig before, GatewayConfig after) {
    List<String> out = new ArrayList<>();
    Map<String, RouteConfig> oldRoutes = new LinkedHashMap<>();
    before.routes().forEach(r -> oldRoutes.put(r.name(), r));
    Map<String, RouteConfig> newRoutes = new LinkedHashMap<>();
    after.routes().forEach(r -> newRoutes.put(r.name(), r));
    diffMaps("route", oldRoutes, newRoutes, out);
    diffMaps("cluster", before.clusters(), after.clusters(), out);
    diffMaps("listener", before.listeners(), after.listeners(), out);
    if (!before.admin().equals(after.admin())) {
      out.add("~ admin (takes effect on restart)");
    }
    List<String> oldOrder = List.copyOf(oldRoutes.keySet());
    List<String> newOrder = newRoutes.keySet().stream().filter(oldRoutes::containsKey).toList();
    if (!oldOrder.stream().filter(newRoutes::containsKey).toList().equals(newOrder)) {
      out.add("~ route order");
    }
    return out;
  }

  private static <T> void diffMaps(
      String kind, Map<String, T> before, Map<String, T> after, List<String> out) {
    before.forEach(
        (name, v) -> {
          T now = after.get(name);
          if (now == null) {
            out.add("- " + kind + " " + name);
          } else if (!now.equals(v)) {
            out.add("~ " + kind + " " + name);
          }
        });
    after.keySet().stream()
        .filter(name -> !before.containsKey(name))
        .forEach(name -> out.add("+ " + kind + " " + name));
  }
}
