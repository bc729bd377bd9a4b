package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.resilience.CircuitBreakerConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One route: a {@link RouteMatch} and what to do with a request that matches it — proxy it to a
 * {@code cluster} (with a timeout, retries, a circuit breaker, header transforms, a path rewrite
 * and CORS), or answer with a {@code redirect}. Exactly one of the two.
 *
 * <p>YAML keys: {@code match}, {@code cluster}, {@code redirect}, {@code timeout}, {@code retry},
 * {@code circuit-breaker} (bulwark-resilience's keys), {@code request-headers}, {@code
 * response-headers}, {@code rewrite-prefix}, {@code cors}; traffic keys ({@link TrafficConfig}):
 * {@code listeners}, {@code split} or {@code strangler} or {@code aggregate} (each instead of
 * {@code cluster}), {@code shadow}.
 *
 * @param timeout the request's deadline from its arrival (shortened by a client's earlier {@code
 *     bulwark-deadline}): how long the upstream may take to start its answer (response headers),
 *     all attempts together; sent downstream as what is left of it
 * @param rewritePrefix for a prefix route, what replaces the matched prefix upstream; null keeps
 *     the path
 */
public record RouteConfig(
    String name,
    RouteMatch match,
    @Nullable String cluster,
    @Nullable Redirect redirect,
    Duration timeout,
    Retry retry,
    @Nullable CircuitBreakerConfig circuitBreaker,
    HeaderTransform requestHeaders,
    HeaderTransform responseHeaders,
    @Nullable String rewritePrefix,
    @Nullable Cors cors,
    RouteSecurity security,
    TrafficConfig traffic) {

  public RouteConfig {
    // traffic (gtraffic): a split or an aggregate takes the place of cluster
    int targets =
        (cluster == null ? 0 : 1)
            + (redirect == null ? 0 : 1)
            + (traffic.split() == null ? 0 : 1)
            + (traffic.aggregate() == null ? 0 : 1);
    if (targets != 1) {
      throw new IllegalArgumentException(
          "route \""
              + name
              + "\" needs exactly one of cluster, redirect, split (or strangler) or aggregate");
    }
    if (redirect != null && traffic.shadow() != null) {
      throw new IllegalArgumentException("route \"" + name + "\": a redirect cannot be shadowed");
    }
    ListenerConfig.positive("timeout", timeout);
    if (rewritePrefix != null) {
      if (match.pathKind() != RouteMatch.PathKind.PREFIX) {
        throw new IllegalArgumentException("rewrite-prefix needs a path-prefix match");
      }
      if (!rewritePrefix.startsWith("/")) {
        throw new IllegalArgumentException(
            "rewrite-prefix \"" + rewritePrefix + "\" must start with /");
      }
    }
  }

  /** This route with {@code security} as its admission checks. */
  public RouteConfig withSecurity(RouteSecurity security) {
    return new RouteConfig(
        name,
        match,
        cluster,
        redirect,
        timeout,
        retry,
        circuitBreaker,
        requestHeaders,
        responseHeaders,
        rewritePrefix,
        cors,
        security,
        traffic);
  }

  /** A route to {@code cluster} with a 15 s timeout, default retries and nothing else. */
  public static RouteConfig to(String name, RouteMatch match, String cluster) {
    return new RouteConfig(
        name,
        match,
        cluster,
        null,
        Duration.ofSeconds(15),
        Retry.defaults(),
        null,
        HeaderTransform.NONE,
        HeaderTransform.NONE,
        null,
        null,
        RouteSecurity.NONE,
        TrafficConfig.NONE);
  }

  /** A copy of this route with {@code traffic} (split, shadow, aggregate, listeners). */
  public RouteConfig withTraffic(TrafficConfig traffic) {
    return new RouteConfig(
        name,
        match,
        traffic.split() != null || traffic.aggregate() != null ? null : cluster,
        redirect,
        timeout,
        retry,
        circuitBreaker,
        requestHeaders,
        responseHeaders,
        rewritePrefix,
        cors,
        security,
        traffic);
  }

  /**
   * Retries of one route. A request is retried only when it has no body (the gateway streams bodies
   * and keeps no copy to send again), only for idempotent methods unless {@code nonIdempotent}, and
   * only while the cluster's retry budget allows.
   *
   * @param attempts the most attempts in all (1: no retry)
   * @param onStatus the upstream statuses retried (the answer is discarded, not passed on)
   * @param onConnectFailure whether a failed connect is retried (on another endpoint)
   * @param nonIdempotent whether POST, PATCH and other non-idempotent methods may be retried
   */
  public record Retry(
      int attempts, Set<Integer> onStatus, boolean onConnectFailure, boolean nonIdempotent) {
    public Retry {
      if (attempts < 1 || attempts > 10) {
        throw new IllegalArgumentException("attempts must be 1 to 10, was " + attempts);
      }
      for (int s : onStatus) {
        if (s < 500 || s > 599) {
          throw new IllegalArgumentException("retry on-status must be 5xx, was " + s);
        }
      }
      onStatus = Set.copyOf(onStatus);
    }

    /** Two attempts, on a failed connect or 502/503/504, idempotent methods only. */
    public static Retry defaults() {
      return new Retry(2, Set.of(502, 503, 504), true, false);
    }

    static Retry bind(ConfigReader r) {
      Retry d = defaults();
      int[] attempts = {d.attempts()};
      Set<Integer> statuses = new LinkedHashSet<>(d.onStatus());
      boolean[] flags = {d.onConnectFailure(), d.nonIdempotent()};
      r.integer("attempts", v -> attempts[0] = v)
          .strings(
              "on-status",
              l -> {
                statuses.clear();
                l.forEach(s -> statuses.add(status(s)));
              })
          .bool("on-connect-failure", v -> flags[0] = v)
          .bool("non-idempotent", v -> flags[1] = v);
      return new Retry(attempts[0], statuses, flags[0], flags[1]);
    }
  }

  /**
   * A redirect answered by the gateway itself.
   *
   * @param location the absolute target URI
   * @param status 301, 302, 303, 307 or 308
   * @param keepPath whether the request's path and query are appended to {@code location}
   */
  public record Redirect(String location, int status, boolean keepPath) {
    public Redirect {
      if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
        throw new IllegalArgumentException(
            "redirect status must be 301, 302, 303, 307 or 308, was " + status);
      }
      try {
        URI uri = new URI(location);
        if (!uri.isAbsolute() || uri.getHost() == null) {
          throw new IllegalArgumentException(
              "redirect to \"" + location + "\" must be an absolute URI with a host");
        }
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("redirect to \"" + location + "\" is not a URI", e);
      }
    }

    static Redirect bind(ConfigReader r) {
      String[] to = {""};
      int[] status = {308};
      boolean[] keep = {true};
      r.require("to")
          .string("to", v -> to[0] = v)
          .integer("status", v -> status[0] = v)
          .bool("keep-path", v -> keep[0] = v);
      return new Redirect(to[0], status[0], keep[0]);
    }
  }

  /**
   * Header changes: {@code set} replaces (or adds) each header, {@code remove} drops each one.
   * Removal runs first.
   */
  public record HeaderTransform(Map<String, String> set, List<String> remove) {
    public static final HeaderTransform NONE = new HeaderTransform(Map.of(), List.of());

    public HeaderTransform {
      Map<String, String> lower = new LinkedHashMap<>();
      set.forEach((k, v) -> lower.put(headerName(k), checkValue(k, v)));
      set = Map.copyOf(lower);
      remove = remove.stream().map(RouteConfig::headerName).toList();
    }

    /** True if it changes nothing. */
    public boolean isEmpty() {
      return set.isEmpty() && remove.isEmpty();
    }

    static HeaderTransform bind(ConfigReader r) {
      Map<String, String> set = new LinkedHashMap<>();
      List<String> remove = new ArrayList<>();
      r.section(
          "set",
          s -> {
            for (String name : List.copyOf(s.keys())) {
              s.string(name, v -> set.put(name, v));
            }
            return set;
          });
      r.strings("remove", remove::addAll);
      return new HeaderTransform(set, remove);
    }
  }

  /**
   * CORS of one route: preflight requests ({@code OPTIONS} with {@code
   * Access-Control-Request-Method}) are answered by the gateway; other requests from an allowed
   * origin get the allow headers on their answer. {@code *} as origin cannot be combined with
   * credentials.
   */
  public record Cors(
      List<String> allowOrigins,
      List<String> allowMethods,
      List<String> allowHeaders,
      List<String> exposeHeaders,
      Duration maxAge,
      boolean allowCredentials) {
    public Cors {
      if (allowOrigins.isEmpty()) {
        throw new IllegalArgumentException("cors needs allow-origins");
      }
      if (allowCredentials && allowOrigins.contains("*")) {
        throw new IllegalArgumentException(
            "cors: allow-credentials cannot be combined with allow-origins \"*\" (any site could"
                + " read answers with the user's cookies); list the origins");
      }
      allowOrigins = List.copyOf(allowOrigins);
      allowMethods = allowMethods.stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
      allowHeaders = List.copyOf(allowHeaders);
      exposeHeaders = List.copyOf(exposeHeaders);
    }

    /** True if {@code origin} may read answers. */
    public boolean allows(String origin) {
      return allowOrigins.contains("*") || allowOrigins.contains(origin);
    }

    static Cors bind(ConfigReader r) {
      List<String> origins = new ArrayList<>();
      List<String> methods = new ArrayList<>(List.of("GET", "HEAD", "POST"));
      List<String> headers = new ArrayList<>();
      List<String> expose = new ArrayList<>();
      Duration[] maxAge = {Duration.ofMinutes(10)};
      boolean[] credentials = {false};
      r.require("allow-origins")
          .strings("allow-origins", origins::addAll)
          .strings(
              "allow-methods",
              l -> {
                methods.clear();
                methods.addAll(l);
              })
          .strings("allow-headers", headers::addAll)
          .strings("expose-headers", expose::addAll)
          .duration("max-age", v -> maxAge[0] = v)
          .bool("allow-credentials", v -> credentials[0] = v);
      return new Cors(origins, methods, headers, expose, maxAge[0], credentials[0]);
    }
  }

  static RouteConfig bind(String name, ConfigReader r, java.util.Collection<String> clusters) {
    r.require("match");
    RouteMatch match = r.section("match", RouteMatch::bind);
    @Nullable String[] strings = {null, null};
    Duration[] timeout = {Duration.ofSeconds(15)};
    r.string(
            "cluster",
            v -> {
              strings[0] = v; // kept even if unknown, so that no second, misleading error follows
              if (!clusters.contains(v)) {
                throw new IllegalArgumentException(
                    "unknown cluster \""
                        + v
                        + "\" (clusters: "
                        + String.join(", ", clusters)
                        + ")");
              }
              strings[0] = v;
            })
        .duration("timeout", v -> timeout[0] = v)
        .string("rewrite-prefix", v -> strings[1] = v);
    Redirect redirect = r.section("redirect", Redirect::bind);
    Retry retry = r.section("retry", Retry::bind);
    CircuitBreakerConfig breaker = r.section("circuit-breaker", CircuitBreakerConfig::bind);
    HeaderTransform req = r.section("request-headers", HeaderTransform::bind);
    HeaderTransform resp = r.section("response-headers", HeaderTransform::bind);
    Cors cors = r.section("cors", Cors::bind);
    RouteSecurity security = RouteSecurity.bind(r); // jwt, rate-limits, concurrency, wasm
    TrafficConfig traffic =
        TrafficConfig.bind(
            r, clusters, match == null ? RouteMatch.path(RouteMatch.PathKind.PREFIX, "/") : match);
    return new RouteConfig(
        name,
        // an invalid or missing match is already reported; the placeholder only lets the other
        // keys be checked too (the load fails anyway)
        match == null ? RouteMatch.path(RouteMatch.PathKind.PREFIX, "/") : match,
        strings[0],
        redirect,
        timeout[0],
        retry == null ? Retry.defaults() : retry,
        breaker,
        req == null ? HeaderTransform.NONE : req,
        resp == null ? HeaderTransform.NONE : resp,
        strings[1],
        cors,
        security,
        traffic);
  }

  private static String headerName(String name) {
    if (name.isEmpty() || !name.chars().allMatch(RouteConfig::isTokenChar)) {
      throw new IllegalArgumentException("header name \"" + name + "\" is not a token");
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static String checkValue(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IllegalArgumentException(
            "header \"" + name + "\" value has a control character (CR, LF or NUL)");
      }
    }
    return value;
  }

  private static boolean isTokenChar(int c) {
    return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
  }

  private static int status(String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected an HTTP status, got \"" + text + "\"", e);
    }
  }
}
