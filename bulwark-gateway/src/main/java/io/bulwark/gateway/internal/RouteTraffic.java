package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Clock;
import io.bulwark.gateway.RouteConfig;
import io.bulwark.gateway.TrafficConfig;
import io.vertx.core.Vertx;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The traffic runtime of one route (split, shadow, aggregate), or null parts where the route has
 * none. Built with its snapshot; a route whose traffic config did not change keeps its runtime (and
 * so its counters and sample ring) across reloads.
 */
record RouteTraffic(
    TrafficConfig config,
    @Nullable Splitter split,
    @Nullable ShadowRuntime shadow,
    @Nullable Aggregator aggregate) {

  static @Nullable RouteTraffic build(
      RouteConfig route,
      @Nullable RouteTraffic previous,
      Map<String, ClusterRuntime> clusters,
      Vertx vertx,
      Clock clock,
      Telemetry telemetry) {
    TrafficConfig t = route.traffic();
    if (t.split() == null && t.shadow() == null && t.aggregate() == null) {
      return null;
    }
    if (previous != null
        && previous.config.equals(t)
        && t.clusters().stream().allMatch(c -> sameCluster(previous, c, clusters))) {
      return previous;
    }
    TrafficConfig.Split s = t.split();
    TrafficConfig.Shadow sh = t.shadow();
    TrafficConfig.Aggregate a = t.aggregate();
    ClusterRuntime shadowCluster = sh == null ? null : clusters.get(sh.cluster());
    return new RouteTraffic(
        t,
        s == null ? null : new Splitter(route.name(), s, telemetry.decisions()),
        sh == null || shadowCluster == null
            ? null
            : new ShadowRuntime(route.name(), sh, shadowCluster, telemetry.decisions()),
        a == null ? null : new Aggregator(a, clusters, vertx, clock));
  }

  private static boolean sameCluster(
      RouteTraffic previous, String name, Map<String, ClusterRuntime> clusters) {
    ShadowRuntime sh = previous.shadow;
    if (sh != null && sh.config.cluster().equals(name)) {
      return sh.cluster == clusters.get(name);
    }
    return previous.aggregate == null; // an aggregator holds the cluster map: rebuild it
  }
}
