package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a request must look like to take a route: host, one path rule, methods, headers and query
 * parameters. Hosts are exact ({@code api.example.com}) or a leading wildcard ({@code
 * *.example.com}, one or more labels); no hosts means any host. Header names are compared
 * case-insensitively, values exactly; query parameters by exact name and value.
 *
 * <p>Path kinds: {@link PathKind#EXACT} ({@code /health}); {@link PathKind#PREFIX} ({@code /api}
 * matches {@code /api} and {@code /api/...}, never {@code /apix}: prefixes end at a segment
 * boundary); {@link PathKind#TEMPLATE} ({@code /orders/{id}/items}, a {@code {name}} stands for one
 * whole segment); {@link PathKind#REGEX} (a Java regex that must match the whole path). See
 * docs/gateway.md for the order in which rules are tried.
 */
public record RouteMatch(
    List<String> hosts,
    PathKind pathKind,
    String path,
    Set<String> methods,
    Map<String, String> headers,
    Map<String, String> query) {

  /** How {@link #path()} is read. */
  public enum PathKind {
    EXACT,
    PREFIX,
    TEMPLATE,
    REGEX
  }

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern HOST = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?");

  public RouteMatch {
    hosts = hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    for (String h : hosts) {
      if (!HOST.matcher(h).matches()) {
        throw new IllegalArgumentException(
            "host \"" + h + "\" is not a host name or *.suffix wildcard");
      }
    }
    checkPath(pathKind, path);
    Set<String> upper = new LinkedHashSet<>();
    for (String m : methods) {
      if (!TOKEN.matcher(m).matches()) {
        throw new IllegalArgumentException("method \"" + m + "\" is not an HTTP method token");
      }
      upper.add(m.toUpperCase(Locale.ROOT));
    }
    methods = Set.copyOf(upper);
    Map<String, String> lower = new LinkedHashMap<>();
    headers.forEach(
        (k, v) -> {
          if (!TOKEN.matcher(k).matches()) {
            throw new IllegalArgumentException("header name \"" + k + "\" is not a token");
          }
          lower.put(k.toLowerCase(Locale.ROOT), v);
        });
    headers = Map.copyOf(lower);
    query = Map.copyOf(query);
  }

  /** Matches {@code path} of {@code kind} on any host, any method. */
  public static RouteMatch path(PathKind kind, String path) {
    return new RouteMatch(List.of(), kind, path, Set.of(), Map.of(), Map.of());
  }

  /** A copy that also requires one of {@code methods}. */
  public RouteMatch methods(String... methods) {
    return new RouteMatch(hosts, pathKind, path, Set.of(methods), headers, query);
  }

  /** A copy that also requires one of {@code hosts}. */
  public RouteMatch hosts(String... hosts) {
    return new RouteMatch(List.of(hosts), pathKind, path, methods, headers, query);
  }

  /** A copy that also requires header {@code name} to be {@code value}. */
  public RouteMatch header(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new RouteMatch(hosts, pathKind, path, methods, h, query);
  }

  /** A copy that also requires query parameter {@code name} to be {@code value}. */
  public RouteMatch query(String name, String value) {
    Map<String, String> q = new LinkedHashMap<>(query);
    q.put(name, value);
    return new RouteMatch(hosts, pathKind, path, methods, headers, q);
  }

  /** The names of a template's {@code {name}} segments, in order (empty for other kinds). */
  public List<String> templateNames() {
    List<String> names = new ArrayList<>();
    if (pathKind == PathKind.TEMPLATE) {
      for (String segment : path.substring(1).split("/", -1)) {
        if (segment.startsWith("{")) {
          names.add(segment.substring(1, segment.length() - 1));
        }
      }
    }
    return names;
  }

  private static void checkPath(PathKind kind, String path) {
    if (kind == PathKind.REGEX) {
      try {
        Pattern.compile(path);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "path-regex \"" + path + "\" is not a valid regex: " + e.getDescription());
      }
      return;
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path \"" + path + "\" must start with /");
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("path \"" + path + "\" has a dot segment");
      }
      boolean param = segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2;
      if (kind == PathKind.TEMPLATE && param) {
        continue;
      }
      if (segment.indexOf('{') >= 0 || segment.indexOf('}') >= 0) {
        throw new IllegalArgumentException(
            kind == PathKind.TEMPLATE
                ? "path-template \"" + path + "\": a {name} must be a whole segment"
                : "path \"" + path + "\" has { or }: write it as path-template");
      }
    }
  }

  static RouteMatch bind(ConfigReader r) {
    List<String> hosts = new ArrayList<>();
    List<PathKind> kinds = new ArrayList<>();
    String[] path = {"/"};
    Set<String> methods = new LinkedHashSet<>();
    r.strings("hosts", hosts::addAll)
        .string("path", p -> set(kinds, path, PathKind.EXACT, p))
        .string("path-prefix", p -> set(kinds, path, PathKind.PREFIX, p))
        .string("path-template", p -> set(kinds, path, PathKind.TEMPLATE, p))
        .string("path-regex", p -> set(kinds, path, PathKind.REGEX, p))
        .strings("methods", methods::addAll);
    if (kinds.size() > 1) {
      r.reject("give one of path, path-prefix, path-template, path-regex, not " + kinds.size());
    }
    Map<String, String> headers = stringMap(r, "headers");
    Map<String, String> query = stringMap(r, "query");
    PathKind kind = kinds.isEmpty() ? PathKind.PREFIX : kinds.getFirst();
    return new RouteMatch(hosts, kind, path[0], methods, headers, query);
  }

  private static void set(List<PathKind> kinds, String[] path, PathKind kind, String value) {
    kinds.add(kind);
    path[0] = value;
  }

  private static Map<String, String> stringMap(ConfigReader r, String key) {
    Map<String, String> out = new LinkedHashMap<>();
    r.section(
        key,
        s -> {
          for (String name : List.copyOf(s.keys())) {
            s.string(name, v -> out.put(name, v));
          }
          return out;
        });
    return out;
  }
}
