package io.bulwark.http.internal;

import io.bulwark.http.Admission;
import io.bulwark.http.Handler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Method + path-template routing. Templates are {@code /}-separated segments, each a literal or a
 * {@code {name}} parameter matching one non-empty segment. Templates without parameters are found
 * with one hash lookup; the others are tried in registration order, literal segments compared
 * without allocating. Immutable after {@link #add}; thread-safe for lookups.
 */
public final class RouteTable {
  /** A matched route; {@code admission} is the route's own load shedding, if it has one. */
  public record Match(
      String template,
      Handler handler,
      Map<String, String> params,
      boolean onEventLoop,
      @Nullable Admission admission,
      String spanName) {

    /**
     * The server span's name for a request of {@code method} on this route: made once per route
     * (the route's own method), not per request; another method (HEAD served by GET) gets its own.
     */
    public String spanName(String method) {
      return spanName.startsWith(method) && spanName.charAt(method.length()) == ' '
          ? spanName
          : method + " " + template;
    }
  }

  @SuppressWarnings("ArrayRecordComponent") // private; the segments are never mutated after add
  private record Route(String method, String template, String[] segments, Match exactMatch) {
    Match bound(Map<String, String> params) {
      Match m = exactMatch;
      return new Match(
          m.template(), m.handler(), params, m.onEventLoop(), m.admission(), m.spanName());
    }
  }

  private final Map<String, Map<String, Route>> exact = new HashMap<>();
  private final List<Route> templated = new ArrayList<>();
  private final Map<String, TreeSet<String>> methodsByTemplate = new LinkedHashMap<>();

  /**
   * Adds a route.
   *
   * @throws IllegalArgumentException if the template is malformed or already routed for the method
   */
  public void add(String method, String template, Handler handler) {
    add(method, template, handler, false);
  }

  /** Adds a route; {@code onEventLoop} routes run their handler inline on the event loop. */
  public void add(String method, String template, Handler handler, boolean onEventLoop) {
    String m = method.toUpperCase(Locale.ROOT);
    if (m.isEmpty() || !m.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
      throw new IllegalArgumentException("bad HTTP method \"" + method + "\"");
    }
    String[] segments = parse(template);
    boolean hasParams = false;
    for (String s : segments) {
      hasParams |= s.startsWith("{");
    }
    Route route =
        new Route(
            m,
            template,
            segments,
            new Match(template, handler, Map.of(), onEventLoop, null, m + " " + template));
    TreeSet<String> methods = methodsByTemplate.computeIfAbsent(template, t -> new TreeSet<>());
    if (!methods.add(m)) {
      throw new IllegalArgumentException("route " + m + " " + template + " is defined twice");
    }
    if (hasParams) {
      templated.add(route);
    } else {
      exact.computeIfAbsent(m, k -> new HashMap<>()).put(template, route);
    }
  }

  private static String[] parse(String template) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException(
          "path template must start with '/', was \"" + template + "\"");
    }
    if (template.equals("/")) {
      return new String[0];
    }
    String[] segments = template.substring(1).split("/", -1);
    for (String s : segments) {
      boolean param = s.startsWith("{") && s.endsWith("}") && s.length() > 2;
      if (s.isEmpty() || (!param && (s.contains("{") || s.contains("}")))) {
        throw new IllegalArgumentException(
            "bad segment \"" + s + "\" in path template \"" + template + "\"");
      }
    }
    return segments;
  }

  /** The route templates, each once, in the order they were added. */
  public java.util.Set<String> templates() {
    return java.util.Collections.unmodifiableSet(methodsByTemplate.keySet());
  }

  /** The route for {@code method} and {@code path}, or null. */
  public @Nullable Match match(String method, String path) {
    Map<String, Route> byPath = exact.get(method);
    Route r = byPath == null ? null : byPath.get(path);
    if (r != null) {
      return r.exactMatch;
    }
    for (Route t : templated) {
      if (t.method.equals(method)) {
        Map<String, String> params = bind(t.segments, path);
        if (params != null) {
          return t.bound(params);
        }
      }
    }
    return null;
  }

  /**
   * Gives the route {@code method template} an admission of its own (load shedding per route).
   *
   * @throws IllegalArgumentException if no such route was added
   */
  public void admission(String method, String template, Admission admission) {
    String m = method.toUpperCase(Locale.ROOT);
    for (int i = 0; i < templated.size(); i++) {
      Route t = templated.get(i);
      if (t.method.equals(m) && t.template.equals(template)) {
        templated.set(i, withAdmission(t, admission));
        return;
      }
    }
    Map<String, Route> byPath = exact.getOrDefault(m, Map.of());
    Route r = byPath.get(template);
    if (r == null) {
      throw new IllegalArgumentException(
          "admission given for route " + m + " " + template + ", which is not routed");
    }
    byPath.put(template, withAdmission(r, admission));
  }

  private static Route withAdmission(Route r, Admission admission) {
    Match m = r.exactMatch;
    return new Route(
        r.method,
        r.template,
        r.segments,
        new Match(m.template(), m.handler(), Map.of(), m.onEventLoop(), admission, m.spanName()));
  }

  /** The methods routed for {@code path} (any method), for a 405 answer's {@code Allow}. */
  public List<String> allowedMethods(String path) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, TreeSet<String>> e : methodsByTemplate.entrySet()) {
      if (bind(parse(e.getKey()), path) != null) {
        out.addAll(e.getValue());
      }
    }
    return out;
  }

  private static @Nullable Map<String, String> bind(String[] segments, String path) {
    if (!path.startsWith("/")) {
      return null;
    }
    Map<String, String> params = null;
    int pos = 1;
    int n = path.length();
    if (segments.length == 0) {
      return n == 1 ? Map.of() : null;
    }
    for (int i = 0; i < segments.length; i++) {
      if (pos > n) {
        return null;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = n;
      }
      if (end == pos) {
        return null;
      }
      String seg = segments[i];
      if (seg.charAt(0) == '{') {
        if (params == null) {
          params = new HashMap<>(4);
        }
        params.put(seg.substring(1, seg.length() - 1), path.substring(pos, end));
      } else if (end - pos != seg.length() || !path.regionMatches(pos, seg, 0, seg.length())) {
        return null;
      }
      pos = end + 1;
      if (i == segments.length - 1 && end != n) {
        return null;
      }
    }
    return params == null ? Map.of() : Map.copyOf(params);
  }
}
