package io.bulwark.gateway.internal;

import io.bulwark.gateway.RouteConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.jspecify.annotations.Nullable;

/** CORS of a route: preflights answered by the gateway, allow headers added to answers. */
final class Cors {
  private Cors() {}

  /**
   * Answers a preflight request ({@code OPTIONS} with {@code Access-Control-Request-Method}) on a
   * route with CORS: 204 with the allow headers if the origin and method are allowed, 204 without
   * them otherwise (the browser then refuses). Returns true if it answered.
   */
  static boolean handle(
      RouteConfig.@Nullable Cors cors, HttpServerRequest req, HttpServerResponse resp) {
    if (cors == null || !HttpMethod.OPTIONS.equals(req.method())) {
      return false;
    }
    String origin = req.getHeader("origin");
    String method = req.getHeader("access-control-request-method");
    if (origin == null || method == null) {
      return false;
    }
    resp.setStatusCode(204).putHeader("vary", "Origin");
    if (cors.allows(origin) && cors.allowMethods().contains(method.strip())) {
      allowOrigin(cors, origin, resp);
      resp.putHeader("access-control-allow-methods", String.join(", ", cors.allowMethods()));
      if (!cors.allowHeaders().isEmpty()) {
        resp.putHeader("access-control-allow-headers", String.join(", ", cors.allowHeaders()));
      }
      resp.putHeader("access-control-max-age", Long.toString(cors.maxAge().toSeconds()));
    }
    resp.end();
    return true;
  }

  /** Adds the allow headers to an answer for an allowed origin. */
  static void decorate(
      RouteConfig.@Nullable Cors cors, HttpServerRequest req, HttpServerResponse resp) {
    if (cors == null) {
      return;
    }
    String origin = req.getHeader("origin");
    if (origin == null || !cors.allows(origin)) {
      return;
    }
    allowOrigin(cors, origin, resp);
    if (!cors.exposeHeaders().isEmpty()) {
      resp.putHeader("access-control-expose-headers", String.join(", ", cors.exposeHeaders()));
    }
  }

  private static void allowOrigin(RouteConfig.Cors cors, String origin, HttpServerResponse resp) {
    boolean any = cors.allowOrigins().contains("*");
    resp.putHeader("access-control-allow-origin", any ? "*" : origin);
    if (!any) {
      resp.headers().add("vary", "Origin");
    }
    if (cors.allowCredentials()) {
      resp.putHeader("access-control-allow-credentials", "true");
    }
  }
}
