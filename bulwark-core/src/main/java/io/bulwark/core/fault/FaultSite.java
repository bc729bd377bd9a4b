package io.bulwark.core.fault;

import java.util.Objects;

/**
 * One call at an injection point, as the injector sees it: the kind of point, the service and
 * instance the call belongs to, its route (a server route template, a client request path, a topic,
 * a saga step, a JDBC operation, a user point's name) and which attempt of the request it is.
 *
 * <p>For an HTTP client attempt, {@code service} is the called service (the dependency) and {@code
 * instance} the chosen endpoint id; for a gateway upstream attempt, the cluster and the endpoint.
 * Built only while an injector is installed.
 *
 * @param kind the kind of point
 * @param service the service, empty if unknown
 * @param instance the instance or endpoint id, empty if unknown
 * @param route the route, path, topic, step or point name, empty if none
 * @param attempt which attempt of the request this call is: 0 for the first, 1 for the first
 *     retry... (HTTP client and gateway attempts count their own; an HTTP server reads the caller's
 *     {@link #ATTEMPT_HEADER}); 0 where retries are not known
 */
public record FaultSite(
    FaultPointKind kind, String service, String instance, String route, int attempt) {
  /**
   * The request header in which Bulwark's HTTP client and gateway tell the server which attempt a
   * resent request is ({@code 1} for the first retry); absent on first attempts.
   */
  public static final String ATTEMPT_HEADER = "bulwark-attempt";

  public FaultSite {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(route, "route");
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative, was " + attempt);
    }
  }

  /** A first attempt (or a call whose retries are not known). */
  public FaultSite(FaultPointKind kind, String service, String instance, String route) {
    this(kind, service, instance, route, 0);
  }

  /**
   * The attempt number a server reads from an {@link #ATTEMPT_HEADER} value: 0 when absent or not a
   * small non-negative number (a hostile value cannot select anything else).
   */
  public static int attemptOf(@org.jspecify.annotations.Nullable String header) {
    if (header == null || header.isEmpty() || header.length() > 3) {
      return 0;
    }
    int n = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
