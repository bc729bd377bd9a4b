package io.bulwark.http;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.identity.WorkloadIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which workloads may call which routes of a server: zero trust between services. A server with a
 * policy requires mutual TLS ({@link ServerConfig.Builder#clientCa}); each request's caller is the
 * {@link WorkloadIdentity} its verified client certificate names, and a request is let through only
 * if some rule allows that caller on the matched route and method. Everything else is denied: 403
 * {@code peer_not_allowed}, before the body is read or the handler runs. There is no default allow;
 * a rule with {@code routes: ["*"]} and {@code peers: ["*"]} is one, written out.
 *
 * <pre>{@code
 * authorization:                      # a section of the server's config
 *   read-orders:                      # a rule's name (in the access log's refusals and the docs)
 *     routes: ["/orders/{id}"]        # route templates as registered, or "*" for every route
 *     methods: [GET]                  # optional: every method if absent; GET also allows HEAD
 *     peers: ["spiffe://shop/bff"]    # SPIFFE IDs, or "*" for any verified workload
 * }</pre>
 *
 * <p>Rules match on the route template the server matched, never on the raw path, so encodings and
 * dot segments cannot reach a route under another rule's name. A request for a path no route
 * matches gets its 404 or 405 only if its caller is allowed somewhere; any other caller gets 403.
 * Health probes ({@code /health/live}, {@code /health/ready}) are outside the policy (but still
 * need a client certificate). Every route a rule names must exist when the server is built.
 */
public final class AuthorizationPolicy {
  /** One allow rule. */
  public record Rule(String name, Set<String> routes, Set<String> methods, Set<String> peers) {
    public Rule {
      Objects.requireNonNull(name, "name");
      routes = Set.copyOf(routes);
      methods = Set.copyOf(methods);
      peers = Set.copyOf(peers);
    }

    boolean allowsRoute(String template) {
      return routes.contains("*") || routes.contains(template);
    }

    boolean allowsMethod(String method) {
      return methods.isEmpty()
          || methods.contains(method)
          || (method.equals("HEAD") && methods.contains("GET"));
    }

    boolean allowsPeer(WorkloadIdentity peer) {
      return peers.contains("*") || peers.contains(peer.toString());
    }
  }

  private final List<Rule> rules;
  private final Map<String, List<Rule>> byRoute = new HashMap<>();
  private final List<Rule> everyRoute = new ArrayList<>();

  private AuthorizationPolicy(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    for (Rule rule : this.rules) {
      for (String route : rule.routes()) {
        if (route.equals("*")) {
          everyRoute.add(rule);
        } else {
          byRoute.computeIfAbsent(route, r -> new ArrayList<>()).add(rule);
        }
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds the named rules of the section {@code key} of {@code parent} (see the class comment), or
   * returns null if there is no such section. Each bad value is reported where it was written.
   */
  public static @Nullable AuthorizationPolicy bind(ConfigReader parent, String key) {
    if (!parent.has(key)) {
      return null;
    }
    Builder b = builder();
    parent.namedSections(
        key,
        (name, rule) -> {
          List<String> routes = new ArrayList<>();
          List<String> methods = new ArrayList<>();
          List<String> peers = new ArrayList<>();
          rule.require("routes").require("peers");
          rule.strings("routes", v -> checkRoutes(routes, v))
              .strings(
                  "methods",
                  v -> {
                    if (v.isEmpty()) {
                      throw new IllegalArgumentException(
                          "an empty list allows no method; leave methods out to allow every"
                              + " method");
                    }
                    checkMethods(methods, v);
                  })
              .strings("peers", v -> checkPeers(peers, v));
          if (!routes.isEmpty() && !peers.isEmpty()) {
            b.allow(name, routes, methods, peers);
          }
          return Boolean.TRUE;
        });
    if (b.rules.isEmpty()) {
      parent.reject(
          key
              + ": an authorization policy needs at least one rule (a policy that allows nothing is"
              + " a mistake)");
      return null;
    }
    return b.build();
  }

  /** A builder holding this policy's rules, to add more. */
  public Builder toBuilder() {
    Builder b = builder();
    for (Rule r : rules) {
      b.allow(r.name(), List.copyOf(r.routes()), List.copyOf(r.methods()), List.copyOf(r.peers()));
    }
    return b;
  }

  /** The rules, in the order they were given. */
  public List<Rule> rules() {
    return rules;
  }

  /**
   * The name of the first rule that lets {@code peer} call {@code method} on the route {@code
   * template}, or null if none does.
   */
  public @Nullable String allowing(WorkloadIdentity peer, String method, String template) {
    List<Rule> candidates = byRoute.get(template);
    if (candidates != null) {
      for (Rule rule : candidates) {
        if (rule.allowsMethod(method) && rule.allowsPeer(peer)) {
          return rule.name();
        }
      }
    }
    for (Rule rule : everyRoute) {
      if (rule.allowsMethod(method) && rule.allowsPeer(peer)) {
        return rule.name();
      }
    }
    return null;
  }

  /** Whether some rule lets {@code peer} call something. */
  public boolean allowsAnything(WorkloadIdentity peer) {
    for (Rule rule : rules) {
      if (rule.allowsPeer(peer)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks that every route a rule names is one of {@code templates}.
   *
   * @throws IllegalArgumentException naming the rule and the unknown route
   */
  public void checkRoutes(Set<String> templates) {
    for (Rule rule : rules) {
      for (String route : rule.routes()) {
        if (!route.equals("*") && !templates.contains(route)) {
          throw new IllegalArgumentException(
              "authorization rule '"
                  + rule.name()
                  + "' names route '"
                  + route
                  + "', which this server does not have (its routes: "
                  + String.join(", ", new java.util.TreeSet<>(templates))
                  + ")");
        }
      }
    }
  }

  private static void checkRoutes(List<String> into, List<String> routes) {
    if (routes.isEmpty()) {
      throw new IllegalArgumentException("must name at least one route (or \"*\")");
    }
    for (String route : routes) {
      if (!route.equals("*") && !route.startsWith("/")) {
        throw new IllegalArgumentException(
            "route '" + route + "' must be a route template starting with '/', or \"*\"");
      }
    }
    into.addAll(routes);
  }

  private static void checkMethods(List<String> into, List<String> methods) {
    for (String method : methods) {
      if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        throw new IllegalArgumentException(
            "method '" + method + "' must be an HTTP method in capitals, such as GET");
      }
    }
    into.addAll(methods);
  }

  private static void checkPeers(List<String> into, List<String> peers) {
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("must name at least one peer (or \"*\")");
    }
    for (String peer : peers) {
      if (!peer.equals("*")) {
        WorkloadIdentity.parse(peer); // names the bad value
      }
    }
    into.addAll(peers);
  }

  /** Builds a policy from allow rules. */
  public static final class Builder {
    private final Map<String, Rule> rules = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Lets {@code peers} (SPIFFE IDs, or {@code "*"}) call {@code methods} (all if empty) on {@code
     * routes} (templates, or {@code "*"}).
     *
     * @throws IllegalArgumentException for a repeated name, no route, no peer, a route that is not
     *     a template, a method not in capitals or a peer that is not a SPIFFE ID
     */
    public Builder allow(
        String name, List<String> routes, List<String> methods, List<String> peers) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("an authorization rule needs a name");
      }
      if (rules.containsKey(name)) {
        throw new IllegalArgumentException("authorization rule '" + name + "' given twice");
      }
      List<String> r = new ArrayList<>();
      List<String> m = new ArrayList<>();
      List<String> p = new ArrayList<>();
      try {
        checkRoutes(r, routes);
        checkMethods(m, methods);
        checkPeers(p, peers);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "authorization rule '" + name + "': " + e.getMessage(), e);
      }
      rules.put(
          name,
          new Rule(name, new LinkedHashSet<>(r), new LinkedHashSet<>(m), new LinkedHashSet<>(p)));
      return this;
    }

    /**
     * The policy of the rules given so far.
     *
     * @throws IllegalStateException if no rule was given (a policy that allows nothing is a
     *     mistake, not a configuration)
     */
    public AuthorizationPolicy build() {
      if (rules.isEmpty()) {
        throw new IllegalStateException("an authorization policy needs at least one rule");
      }
      return new AuthorizationPolicy(new ArrayList<>(rules.values()));
    }
  }
}
