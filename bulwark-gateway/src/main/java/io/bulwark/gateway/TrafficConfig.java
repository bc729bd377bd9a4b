package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How one route spreads its traffic: which listeners it serves ({@code listeners}, all if empty), a
 * {@link Split} between clusters (canary by weight, header or cookie, or a strangler fig), a {@link
 * Shadow} cluster that gets a mirrored share, or an {@link Aggregate} that composes one JSON answer
 * from several upstream calls (backend for frontend).
 *
 * <p>YAML keys of a route: {@code listeners}, {@code split}, {@code strangler} (a split written as
 * legacy/new share), {@code shadow}, {@code aggregate}.
 */
public record TrafficConfig(
    List<String> listeners,
    @Nullable Split split,
    @Nullable Shadow shadow,
    @Nullable Aggregate aggregate) {

  /** Serves every listener, no split, no shadow, no aggregation. */
  public static final TrafficConfig NONE = new TrafficConfig(List.of(), null, null, null);

  /** The bucket space of a split: weights are percentages with up to four decimals. */
  public static final int BUCKETS = 1_000_000;

  public TrafficConfig {
    listeners = List.copyOf(listeners);
    if (split != null && aggregate != null) {
      throw new IllegalArgumentException("a route cannot both split and aggregate");
    }
    if (shadow != null && aggregate != null) {
      throw new IllegalArgumentException("an aggregate route cannot be shadowed");
    }
  }

  /** True if this changes nothing about the route. */
  public boolean isNone() {
    return listeners.isEmpty() && split == null && shadow == null && aggregate == null;
  }

  /** A copy that serves only {@code names}. */
  public TrafficConfig onListeners(List<String> names) {
    return new TrafficConfig(names, split, shadow, aggregate);
  }

  /** Every cluster this names. */
  public Set<String> clusters() {
    Set<String> out = new LinkedHashSet<>();
    Split s = split;
    if (s != null) {
      s.weights().keySet().forEach(out::add);
      s.rules().forEach(r -> out.add(r.cluster()));
      s.paths().values().forEach(w -> out.addAll(w.keySet()));
    }
    Shadow sh = shadow;
    if (sh != null) {
      out.add(sh.cluster());
    }
    Aggregate a = aggregate;
    if (a != null) {
      a.parts().values().forEach(p -> out.add(p.cluster()));
    }
    return out;
  }

  /** Where the key of a sticky split comes from. */
  public enum KeySource {
    /** A request cookie. */
    COOKIE,
    /** A request header (for a JWT subject: the header the authentication stage fills). */
    HEADER
  }

  /**
   * The user key that keeps a user on one side of a split: the same key always hashes to the same
   * bucket, so a user stays where they are until the weights move their bucket.
   */
  public record Sticky(KeySource source, String name) {
    public Sticky {
      if (name.isBlank()) {
        throw new IllegalArgumentException("sticky key name is empty");
      }
      name = source == KeySource.HEADER ? name.toLowerCase(Locale.ROOT) : name;
    }

    static Sticky bind(ConfigReader r) {
      List<Sticky> found = new ArrayList<>();
      r.string("cookie", v -> found.add(new Sticky(KeySource.COOKIE, v)))
          .string("header", v -> found.add(new Sticky(KeySource.HEADER, v)))
          .string("jwt-subject-header", v -> found.add(new Sticky(KeySource.HEADER, v)));
      if (found.size() != 1) {
        throw new IllegalArgumentException(
            "sticky needs exactly one of cookie, header or jwt-subject-header");
      }
      return found.get(0);
    }
  }

  /**
   * A rule checked before the weights: a request whose header or cookie {@code name} equals {@code
   * value} goes to {@code cluster}.
   */
  public record Rule(String name, KeySource source, String key, String value, String cluster) {
    public Rule {
      if (key.isBlank()) {
        throw new IllegalArgumentException("rule " + name + ": the header or cookie name is empty");
      }
      key = source == KeySource.HEADER ? key.toLowerCase(Locale.ROOT) : key;
    }

    static Rule bind(String name, ConfigReader r, Collection<String> clusters) {
      List<Object[]> keys = new ArrayList<>();
      String[] value = {""};
      String[] cluster = {""};
      r.require("equals")
          .require("cluster")
          .string("header", v -> keys.add(new Object[] {KeySource.HEADER, v}))
          .string("cookie", v -> keys.add(new Object[] {KeySource.COOKIE, v}))
          .string("equals", v -> value[0] = v)
          .string("cluster", v -> cluster[0] = knownCluster(v, clusters));
      if (keys.size() != 1) {
        throw new IllegalArgumentException("a rule needs exactly one of header or cookie");
      }
      return new Rule(
          name, (KeySource) keys.get(0)[0], (String) keys.get(0)[1], value[0], cluster[0]);
    }
  }

  /**
   * A split of one route's traffic between clusters.
   *
   * @param weights percentage per cluster, in order (their intervals of the bucket space follow
   *     this order); they sum to 100
   * @param rules header or cookie rules checked first, in order
   * @param sticky where the user key comes from; null picks by a seeded sequence per request
   * @param seed the hash seed (sticky) or the sequence seed (not sticky)
   * @param paths per sub-path prefix weights that replace {@code weights} for requests under it
   *     (longest prefix wins)
   */
  public record Split(
      Map<String, Double> weights,
      List<Rule> rules,
      @Nullable Sticky sticky,
      long seed,
      Map<String, Map<String, Double>> paths) {
    public Split {
      weights = checkWeights("weights", weights);
      rules = List.copyOf(rules);
      Map<String, Map<String, Double>> p = new LinkedHashMap<>();
      paths.forEach(
          (prefix, w) -> {
            if (!prefix.startsWith("/")) {
              throw new IllegalArgumentException("split path \"" + prefix + "\" must start with /");
            }
            p.put(prefix, checkWeights("paths." + prefix, w));
          });
      paths = java.util.Collections.unmodifiableMap(p);
    }

    /** A split by weights alone, not sticky. */
    public static Split weighted(Map<String, Double> weights, long seed) {
      return new Split(weights, List.of(), null, seed, Map.of());
    }

    static Split bind(ConfigReader r, Collection<String> clusters) {
      r.require("weights");
      Map<String, Double> weights = r.section("weights", w -> weights(w, clusters));
      Map<String, Rule> rules = r.namedSections("rules", (n, s) -> Rule.bind(n, s, clusters));
      Sticky sticky = r.section("sticky", Sticky::bind);
      long[] seed = {0};
      r.longValue("seed", v -> seed[0] = v);
      Map<String, Map<String, Double>> paths = new LinkedHashMap<>();
      r.section(
          "paths",
          s -> {
            for (String prefix : List.copyOf(s.keys())) {
              Map<String, Double> w = s.section(prefix, x -> weights(x, clusters));
              if (w != null && !w.isEmpty()) {
                paths.put(prefix, w);
              }
            }
            return paths;
          });
      // invalid weights are already reported: a placeholder keeps the route from a second error
      return new Split(
          weights == null || weights.isEmpty() ? placeholder(clusters) : weights,
          List.copyOf(rules.values()),
          sticky,
          seed[0],
          paths);
    }

    /** Binds {@code strangler: {legacy, new, share, paths, sticky, seed}} into a split. */
    static Split bindStrangler(ConfigReader r, Collection<String> clusters) {
      String[] names = {"", ""};
      double[] share = {0};
      long[] seed = {0};
      Map<String, Double> overrides = new LinkedHashMap<>();
      r.require("legacy")
          .require("new")
          .require("share")
          .string("legacy", v -> names[0] = knownCluster(v, clusters))
          .string("new", v -> names[1] = knownCluster(v, clusters))
          .decimal("share", v -> share[0] = percent("share", v))
          .longValue("seed", v -> seed[0] = v);
      r.section(
          "paths",
          s -> {
            for (String prefix : List.copyOf(s.keys())) {
              s.decimal(prefix, v -> overrides.put(prefix, percent("share", v)));
            }
            return overrides;
          });
      Sticky sticky = r.section("sticky", Sticky::bind);
      if (names[0].isEmpty() || names[1].isEmpty() || names[0].equals(names[1])) {
        if (!names[0].isEmpty() && names[0].equals(names[1])) {
          r.reject("legacy and new are the same cluster \"" + names[0] + "\"");
        }
        // the problem is reported: a placeholder keeps the route from a second error
        return new Split(placeholder(clusters), List.of(), sticky, seed[0], Map.of());
      }
      Map<String, Map<String, Double>> paths = new LinkedHashMap<>();
      overrides.forEach((prefix, s) -> paths.put(prefix, strangle(names[0], names[1], s)));
      return new Split(strangle(names[0], names[1], share[0]), List.of(), sticky, seed[0], paths);
    }

    /**
     * The weights of a strangler fig at {@code share} percent to {@code next}: the new cluster's
     * interval comes first and grows as the share grows, so a sticky user who moved to the new
     * service never moves back while the share only grows.
     */
    public static Map<String, Double> strangle(String legacy, String next, double share) {
      Map<String, Double> w = new LinkedHashMap<>();
      w.put(next, share);
      w.put(legacy, 100.0 - share);
      return w;
    }

    private static Map<String, Double> placeholder(Collection<String> clusters) {
      if (clusters.isEmpty()) {
        throw new IllegalArgumentException("a split needs clusters, and none is defined");
      }
      return Map.of(clusters.iterator().next(), 100.0);
    }

    /** The weights of a section, or an empty map if an entry is bad (already reported). */
    private static Map<String, Double> weights(ConfigReader r, Collection<String> clusters) {
      int expected = r.keys().size();
      Map<String, Double> w = new LinkedHashMap<>();
      for (String name : List.copyOf(r.keys())) {
        r.decimal(
            name,
            v -> {
              knownCluster(name, clusters);
              w.put(name, v);
            });
      }
      if (w.size() != expected) {
        return Map.of(); // a bad entry is already reported
      }
      return checkWeights("", w);
    }
  }

  /**
   * Mirrors a share of a route's requests to {@code cluster}, compares its answer with the
   * primary's (status, and the JSON body without the {@code ignore} pointers) and records the
   * differences. The client only ever gets the primary's answer.
   *
   * @param share percentage of requests mirrored
   * @param maxBodyBytes the most request or response body kept for a mirrored request; a request
   *     body beyond it is not mirrored, a response beyond it is compared by status only
   * @param ignore JSON pointers (RFC 6901) removed from both bodies before comparing
   * @param timeout how long the shadow may take for its whole answer
   * @param samples how many differences are kept for the admin API (the newest)
   */
  public record Shadow(
      String cluster,
      double share,
      long maxBodyBytes,
      List<String> ignore,
      Duration timeout,
      int samples,
      long seed) {
    public Shadow {
      percent("share", share);
      ListenerConfig.positive("max-body-bytes", maxBodyBytes);
      ListenerConfig.positive("timeout", timeout);
      if (samples < 1 || samples > 1000) {
        throw new IllegalArgumentException("samples must be 1 to 1000, was " + samples);
      }
      ignore.forEach(TrafficConfig::checkPointer);
      ignore = List.copyOf(ignore);
    }

    /** Mirrors {@code share} percent to {@code cluster} with the defaults (64 KiB, 5 s, 32). */
    public static Shadow of(String cluster, double share) {
      return new Shadow(cluster, share, 64 * 1024, List.of(), Duration.ofSeconds(5), 32, 0);
    }

    static Shadow bind(ConfigReader r, Collection<String> clusters) {
      Shadow d = of("placeholder", 100);
      String[] cluster = {""};
      double[] share = {d.share()};
      long[] longs = {d.maxBodyBytes(), 0};
      List<String> ignore = new ArrayList<>();
      Duration[] timeout = {d.timeout()};
      int[] samples = {d.samples()};
      r.require("cluster")
          .string("cluster", v -> cluster[0] = knownCluster(v, clusters))
          .decimal("share", v -> share[0] = percent("share", v))
          .longValue("max-body-bytes", v -> longs[0] = v)
          .strings(
              "ignore",
              l -> {
                l.forEach(TrafficConfig::checkPointer);
                ignore.addAll(l);
              })
          .duration("timeout", v -> timeout[0] = v)
          .integer("samples", v -> samples[0] = v)
          .longValue("seed", v -> longs[1] = v);
      return new Shadow(cluster[0], share[0], longs[0], ignore, timeout[0], samples[0], longs[1]);
    }
  }

  /**
   * One upstream call of an aggregate route.
   *
   * @param path the upstream path; {@code {name}} is replaced by the route template's segment of
   *     that name (percent-encoded)
   * @param required whether the answer fails (502, or 504 on a timeout) when this part fails; an
   *     optional part that fails is left out and named in {@code _partial}
   */
  public record Part(String name, String cluster, String path, Duration timeout, boolean required) {
    public Part {
      if (name.isEmpty() || name.startsWith("_")) {
        throw new IllegalArgumentException(
            "part name \"" + name + "\" must not be empty or start with _ (reserved)");
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("part path \"" + path + "\" must start with /");
      }
      ListenerConfig.positive("timeout", timeout);
    }

    /** The {@code {name}} placeholders of {@link #path}. */
    public List<String> placeholders() {
      List<String> out = new ArrayList<>();
      Matcher m = PLACEHOLDER.matcher(path);
      while (m.find()) {
        out.add(m.group(1));
      }
      return out;
    }

    static Part bind(String name, ConfigReader r, Collection<String> clusters) {
      String[] s = {"", ""};
      Duration[] timeout = {Duration.ofSeconds(1)};
      boolean[] required = {false};
      r.require("cluster")
          .require("path")
          .string("cluster", v -> s[0] = knownCluster(v, clusters))
          .string("path", v -> s[1] = v)
          .duration("timeout", v -> timeout[0] = v)
          .bool("required", v -> required[0] = v);
      return new Part(name, s[0], s[1], timeout[0], required[0]);
    }
  }

  /**
   * A backend-for-frontend route: every part is called in parallel and the answer is one JSON
   * object with a member per part ({@code {"product": ..., "reviews": ...}}), plus {@code
   * "_partial": [names]} when optional parts failed.
   *
   * @param maxPartBytes the largest part body read; a bigger one fails that part
   */
  public record Aggregate(Map<String, Part> parts, long maxPartBytes) {
    public Aggregate {
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("aggregate needs at least one part");
      }
      parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
      ListenerConfig.positive("max-part-bytes", maxPartBytes);
    }

    static Aggregate bind(ConfigReader r, Collection<String> clusters) {
      r.require("parts");
      long[] max = {1024 * 1024};
      r.longValue("max-part-bytes", v -> max[0] = v);
      Map<String, Part> parts = r.namedSections("parts", (n, s) -> Part.bind(n, s, clusters));
      return new Aggregate(parts, max[0]);
    }
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}/]+)}");

  /** Binds the traffic keys of one route section (the rest is bound by {@link RouteConfig}). */
  static TrafficConfig bind(ConfigReader r, Collection<String> clusters, RouteMatch match) {
    List<String> listeners = new ArrayList<>();
    r.strings("listeners", listeners::addAll);
    Split split = r.section("split", s -> Split.bind(s, clusters));
    Split strangler = r.section("strangler", s -> Split.bindStrangler(s, clusters));
    if (split != null && strangler != null) {
      r.reject("a route has split or strangler, not both");
    }
    Split chosen = split != null ? split : strangler;
    if (chosen != null && !chosen.paths().isEmpty()) {
      checkUnderPrefix(r, match, chosen.paths().keySet());
    }
    Shadow shadow = r.section("shadow", s -> Shadow.bind(s, clusters));
    Aggregate aggregate = r.section("aggregate", s -> Aggregate.bind(s, clusters));
    if (aggregate != null) {
      checkPlaceholders(r, match, aggregate);
    }
    return new TrafficConfig(listeners, chosen, shadow, aggregate);
  }

  private static void checkUnderPrefix(ConfigReader r, RouteMatch match, Set<String> prefixes) {
    if (match.pathKind() != RouteMatch.PathKind.PREFIX) {
      r.reject("per-path split overrides need a path-prefix match");
      return;
    }
    String base = match.path().endsWith("/") ? match.path() : match.path() + "/";
    for (String p : prefixes) {
      if (!(p + "/").startsWith(base) && !p.equals(match.path())) {
        r.reject(
            "split path \"" + p + "\" is not under the route's prefix \"" + match.path() + "\"");
      }
    }
  }

  private static void checkPlaceholders(ConfigReader r, RouteMatch match, Aggregate aggregate) {
    Set<String> params = new LinkedHashSet<>();
    if (match.pathKind() == RouteMatch.PathKind.TEMPLATE) {
      Matcher m = PLACEHOLDER.matcher(match.path());
      while (m.find()) {
        params.add(m.group(1));
      }
    }
    for (Part p : aggregate.parts().values()) {
      for (String name : p.placeholders()) {
        if (!params.contains(name)) {
          r.reject(
              "part "
                  + p.name()
                  + ": path \""
                  + p.path()
                  + "\" uses {"
                  + name
                  + "} but the route's match has no such template segment"
                  + (params.isEmpty() ? "" : " (segments: " + String.join(", ", params) + ")"));
        }
      }
    }
  }

  static String knownCluster(String name, Collection<String> clusters) {
    if (!clusters.contains(name)) {
      throw new IllegalArgumentException(
          "unknown cluster \"" + name + "\" (clusters: " + String.join(", ", clusters) + ")");
    }
    return name;
  }

  static double percent(String field, double v) {
    if (!(v >= 0 && v <= 100)) {
      throw new IllegalArgumentException(field + " must be 0 to 100 (percent), was " + v);
    }
    return v;
  }

  static Map<String, Double> checkWeights(String where, Map<String, Double> weights) {
    String field = where.isEmpty() ? "" : where + ": ";
    if (weights.isEmpty()) {
      throw new IllegalArgumentException(field + "a split needs at least one cluster");
    }
    double sum = 0;
    StringBuilder list = new StringBuilder();
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      double w = e.getValue();
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException(
            field + "weight of " + e.getKey() + " must be ≥ 0, was " + w);
      }
      if (Math.abs(w * (BUCKETS / 100) - Math.rint(w * (BUCKETS / 100))) > 1e-6) {
        throw new IllegalArgumentException(
            field + "weight of " + e.getKey() + " has more than four decimals: " + w);
      }
      sum += w;
      list.append(list.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(w);
    }
    if (Math.abs(sum - 100) > 1e-6) {
      throw new IllegalArgumentException(
          field + "weights must sum to 100, got " + sum + " (" + list + ")");
    }
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
  }

  static String checkPointer(String pointer) {
    if (!pointer.isEmpty() && !pointer.startsWith("/")) {
      throw new IllegalArgumentException(
          "JSON pointer \"" + pointer + "\" must be empty or start with /");
    }
    for (int i = 0; i < pointer.length(); i++) {
      if (pointer.charAt(i) == '~'
          && (i + 1 >= pointer.length()
              || (pointer.charAt(i + 1) != '0' && pointer.charAt(i + 1) != '1'))) {
        throw new IllegalArgumentException(
            "JSON pointer \"" + pointer + "\" has a ~ not followed by 0 or 1 at index " + i);
      }
    }
    if (pointer.isEmpty()) {
      throw new IllegalArgumentException(
          "JSON pointer \"\" would ignore the whole body; name a member");
    }
    return pointer;
  }
}
