package io.bulwark.gateway.internal;

import io.bulwark.gateway.RouteConfig;
import io.bulwark.gateway.RouteMatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The routes of one config snapshot compiled into lookup structures, built once and then read by
 * any number of threads without locks (immutable after construction).
 *
 * <p>Order in which a request is matched (the first route that passes wins):
 *
 * <ol>
 *   <li>Host tiers: the routes of the exact host, then of each wildcard suffix from the longest to
 *       the shortest ({@code *.b.example.com} before {@code *.example.com}), then the routes with
 *       no host. A tier with no passing route falls through to the next.
 *   <li>Within a tier, path rules: exact paths (a hash lookup), then templates (a segment trie
 *       walked depth first, a literal segment tried before a {@code {param}}), then prefixes (a
 *       segment trie, the longest prefix first), then regexes in file order.
 *   <li>Routes with the same path rule are tried in file order; the first whose method, header and
 *       query predicates pass wins.
 * </ol>
 *
 * Cost per request: a few hash lookups per host label and path segment, independent of the number
 * of routes, plus the regexes of the tiers reached (keep them few).
 */
public final class RouteMatcher {

  /** A matched route, with the values of its template's {@code {name}} segments. */
  public record Match(RouteConfig route, int index, Map<String, String> params) {}

  private record Entry(RouteConfig route, int index) {
    boolean passes(RequestView request) {
      RouteMatch m = route.match();
      if (!m.methods().isEmpty() && !m.methods().contains(request.method())) {
        return false;
      }
      // most routes have no header or query predicate: no iterator for an empty map
      if (m.headers().isEmpty() && m.query().isEmpty()) {
        return true;
      }
      for (Map.Entry<String, String> h : m.headers().entrySet()) {
        if (!h.getValue().equals(request.header(h.getKey()))) {
          return false;
        }
      }
      for (Map.Entry<String, String> q : m.query().entrySet()) {
        if (!q.getValue().equals(request.query(q.getKey()))) {
          return false;
        }
      }
      return true;
    }
  }

  private static final class Node {
    final Map<String, Node> literal = new HashMap<>();
    @Nullable Node param;
    final List<Entry> here = new ArrayList<>();
  }

  private static final class PathTable {
    final Map<String, List<Entry>> exact = new HashMap<>();
    final Node templates = new Node();
    final Node prefixes = new Node();
    final List<Entry> regexEntries = new ArrayList<>();
    final List<Pattern> regexes = new ArrayList<>();

    void add(Entry e) {
      RouteMatch m = e.route().match();
      switch (m.pathKind()) {
        case EXACT -> exact.computeIfAbsent(m.path(), k -> new ArrayList<>()).add(e);
        case TEMPLATE -> templateNode(m.path()).here.add(e);
        case PREFIX -> prefixNode(m.path()).here.add(e);
        case REGEX -> {
          regexEntries.add(e);
          regexes.add(Pattern.compile(m.path()));
        }
      }
    }

    private Node templateNode(String path) {
      Node n = templates;
      for (String s : segments(path)) {
        if (s.startsWith("{")) {
          if (n.param == null) {
            n.param = new Node();
          }
          n = n.param;
        } else {
          n = n.literal.computeIfAbsent(s, k -> new Node());
        }
      }
      return n;
    }

    private Node prefixNode(String path) {
      Node n = prefixes;
      for (String s : prefixSegments(path)) {
        n = n.literal.computeIfAbsent(s, k -> new Node());
      }
      return n;
    }

    @Nullable Match match(String path, String[] segs, RequestView request) {
      List<Entry> exactEntries = exact.get(path);
      if (exactEntries != null) {
        Entry e = first(exactEntries, request);
        if (e != null) {
          return new Match(e.route(), e.index(), Map.of());
        }
      }
      if (!templates.literal.isEmpty() || templates.param != null) {
        int[] params = new int[segs.length];
        Match m = walkTemplates(templates, segs, 0, params, 0, request);
        if (m != null) {
          return m;
        }
      }
      Match p = matchPrefix(segs, request);
      if (p != null) {
        return p;
      }
      for (int i = 0; i < regexes.size(); i++) {
        Entry e = regexEntries.get(i);
        if (regexes.get(i).matcher(path).matches() && e.passes(request)) {
          return new Match(e.route(), e.index(), Map.of());
        }
      }
      return null;
    }

    private @Nullable Match matchPrefix(String[] segs, RequestView request) {
      // walk down as far as the literal segments go, then try the deepest prefix first
      Node[] seen = new Node[segs.length + 1];
      int depth = 0;
      Node n = prefixes;
      seen[0] = n;
      for (String s : segs) {
        Node next = n.literal.get(s);
        if (next == null) {
          break;
        }
        n = next;
        seen[++depth] = n;
      }
      for (int d = depth; d >= 0; d--) {
        Node at = seen[d];
        if (at != null && !at.here.isEmpty()) {
          Entry e = first(at.here, request);
          if (e != null) {
            return new Match(e.route(), e.index(), Map.of());
          }
        }
      }
      return null;
    }

    private static @Nullable Match walkTemplates(
        Node n, String[] segs, int i, int[] params, int paramCount, RequestView request) {
      if (i == segs.length) {
        Entry e = first(n.here, request);
        return e == null ? null : templateMatch(e, segs, params, paramCount);
      }
      Node lit = n.literal.get(segs[i]);
      if (lit != null) {
        Match m = walkTemplates(lit, segs, i + 1, params, paramCount, request);
        if (m != null) {
          return m;
        }
      }
      Node param = n.param;
      if (param != null && !segs[i].isEmpty()) {
        params[paramCount] = i;
        return walkTemplates(param, segs, i + 1, params, paramCount + 1, request);
      }
      return null;
    }

    private static Match templateMatch(Entry e, String[] segs, int[] params, int count) {
      List<String> names = e.route().match().templateNames();
      Map<String, String> values = new LinkedHashMap<>();
      for (int k = 0; k < count && k < names.size(); k++) {
        values.put(names.get(k), segs[params[k]]);
      }
      return new Match(e.route(), e.index(), values);
    }
  }

  private final Map<String, PathTable> exactHosts = new HashMap<>();
  private final Map<String, PathTable> wildcardHosts = new HashMap<>();
  private final PathTable anyHost = new PathTable();
  private final int size;

  private RouteMatcher(List<RouteConfig> routes) {
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = routes.get(i);
      Entry e = new Entry(r, i);
      List<String> hosts = r.match().hosts();
      if (hosts.isEmpty()) {
        anyHost.add(e);
      }
      for (String h : hosts) {
        if (h.startsWith("*.")) {
          wildcardHosts.computeIfAbsent(h.substring(1), k -> new PathTable()).add(e);
        } else {
          exactHosts.computeIfAbsent(h, k -> new PathTable()).add(e);
        }
      }
    }
    this.size = routes.size();
  }

  /** Compiles {@code routes}, whose list order is their file order. */
  public static RouteMatcher compile(List<RouteConfig> routes) {
    return new RouteMatcher(routes);
  }

  /** How many routes were compiled. */
  public int size() {
    return size;
  }

  /**
   * The route for a request, or null if none matches.
   *
   * @param host the request's host (any case, with or without a port)
   * @param path the request's normalized path (starts with {@code /}, no query)
   */
  public @Nullable Match match(String host, String path, RequestView request) {
    String[] segs = segments(path);
    String h = normalizeHost(host);
    PathTable t = exactHosts.get(h);
    if (t != null) {
      Match m = t.match(path, segs, request);
      if (m != null) {
        return m;
      }
    }
    if (!wildcardHosts.isEmpty()) {
      // *.example.com is stored as ".example.com": try each suffix that starts at a dot,
      // longest first; a wildcard needs at least one label before it
      for (int dot = h.indexOf('.'); dot > 0; dot = h.indexOf('.', dot + 1)) {
        PathTable w = wildcardHosts.get(h.substring(dot));
        if (w != null) {
          Match m = w.match(path, segs, request);
          if (m != null) {
            return m;
          }
        }
      }
    }
    return anyHost.match(path, segs, request);
  }

  static String normalizeHost(String host) {
    String h = host;
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      h = close > 0 ? h.substring(0, close + 1) : h;
    } else {
      int colon = h.indexOf(':');
      if (colon >= 0) {
        h = h.substring(0, colon);
      }
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.toLowerCase(Locale.ROOT);
  }

  static String[] segments(String path) {
    return path.length() <= 1 ? new String[] {""} : path.substring(1).split("/", -1);
  }

  /** A prefix's segments: {@code /} is none, a trailing slash is dropped. */
  static String[] prefixSegments(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.isEmpty() ? new String[0] : p.substring(1).split("/", -1);
  }

  private static @Nullable Entry first(List<Entry> entries, RequestView request) {
    for (Entry e : entries) {
      if (e.passes(request)) {
        return e;
      }
    }
    return null;
  }
}
