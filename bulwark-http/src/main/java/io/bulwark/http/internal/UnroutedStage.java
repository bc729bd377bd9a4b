package io.bulwark.http.internal;

import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;
import java.util.List;

/**
 * Refuses a request that no route matched: 405 with {@code Allow} when its path is routed for other
 * methods, else 404.
 */
final class UnroutedStage implements Stage {
  private final RouteTable routes;

  UnroutedStage(RouteTable routes) {
    this.routes = routes;
  }

  @Override
  public boolean pass(Exchange ex) {
    if (ex.match != null) {
      return true;
    }
    String path = ServerState.pathOf(ex.req);
    List<String> allowed = routes.allowedMethods(path);
    if (allowed.isEmpty()) {
      ex.refuse(HttpProblem.notFound("no route for " + path), RequestOutcome.REJECTED);
      return false;
    }
    ex.req.response().putHeader("allow", String.join(", ", allowed));
    String method = ex.req.method().name();
    ex.refuse(
        HttpProblem.of(
            405,
            "method_not_allowed",
            "method " + method + " is not allowed on " + path + "; allowed: " + allowed),
        RequestOutcome.REJECTED);
    return false;
  }
}
