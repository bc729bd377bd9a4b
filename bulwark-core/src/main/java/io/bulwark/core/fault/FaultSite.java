package io.bulwark.core.fault;

import java.util.Objects;

/**
 * One call at an injection point, as the injector sees it: the kind of point, the service and
 * instance the call belongs to, and its route (a server route template, a client request path, a
 * topic, a saga step, a JDBC operation, a user point's name).
 *
 * <p>For an HTTP client attempt, {@code service} is the called service (the dependency) and {@code
 * instance} the chosen endpoint id. Built only while an injector is installed.
 *
 * @param kind the kind of point
 * @param service the service, empty if unknown
 * @param instance the instance or endpoint id, empty if unknown
 * @param route the route, path, topic, step or point name, empty if none
 */
public record FaultSite(FaultPointKind kind, String service, String instance, String route) {
  public FaultSite {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(route, "route");
  }
}
