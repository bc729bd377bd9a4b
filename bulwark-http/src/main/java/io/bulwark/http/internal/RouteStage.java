package io.bulwark.http.internal;

import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * Finds the request's route ({@code HEAD} falls back to the {@code GET} route, RFC 9110 §9.3.2:
 * Vert.x then writes the headers only) and whether it is a system route. Never stops the chain: a
 * request without a route is refused by {@link UnroutedStage}, after its context is known.
 */
final class RouteStage implements Stage {
  private final RouteTable routes;
  private final List<String> systemRoutes;

  RouteStage(RouteTable routes, List<String> systemRoutes) {
    this.routes = routes;
    this.systemRoutes = List.copyOf(systemRoutes);
  }

  @Override
  public boolean pass(Exchange ex) {
    String path = ServerState.pathOf(ex.req);
    HttpMethod method = ex.req.method();
    RouteTable.Match match = routes.match(method.name(), path);
    if (match == null && HttpMethod.HEAD.equals(method)) {
      match = routes.match("GET", path);
    }
    if (match != null) {
      ex.match = match;
      ex.route = match.template();
      ex.system = isSystem(match);
    }
    return true;
  }

  private boolean isSystem(RouteTable.Match match) {
    return !systemRoutes.isEmpty() && systemRoutes.contains(match.template());
  }
}
