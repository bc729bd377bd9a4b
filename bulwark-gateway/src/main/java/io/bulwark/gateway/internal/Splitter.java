package io.bulwark.gateway.internal;

import io.bulwark.core.telemetry.Decisions;
import io.bulwark.gateway.TrafficConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The run-time form of one route's {@link TrafficConfig.Split}: rules first, then the bucket of the
 * request among the weights of the longest matching sub-path (or the route's). The bucket of a
 * sticky request is a stable 64-bit hash of its user key and the seed, so a user always gets the
 * same bucket; the bucket of any other request comes from a seeded sequence (SplitMix64 of the seed
 * plus a counter), so a run is reproducible. Weights map to consecutive intervals of {@link
 * TrafficConfig#BUCKETS} buckets in their configured order. Thread-safe.
 */
final class Splitter {
  /** A decision: the cluster and why ("rule NAME", "sticky", "weight", "no-key"). */
  record Choice(String cluster, String reason) {}

  private static final class Table {
    private final String[] clusters;
    private final int[] upper;

    Table(String[] clusters, int[] upper) {
      this.clusters = clusters;
      this.upper = upper;
    }

    String pick(int bucket) {
      for (int i = 0; i < upper.length; i++) {
        if (bucket < upper[i]) {
          return clusters[i];
        }
      }
      return clusters[clusters.length - 1];
    }
  }

  private record Sub(String prefix, Table table) {}

  final TrafficConfig.Split config;
  private final String route;
  private final Table main;
  private final List<Sub> subs;
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, LongAdder> counts = new LinkedHashMap<>();
  private final Decisions decisions;

  Splitter(String route, TrafficConfig.Split config, Decisions decisions) {
    this.route = route;
    this.config = config;
    this.decisions = decisions;
    this.main = table(config.weights());
    List<Sub> s = new ArrayList<>();
    config.paths().forEach((p, w) -> s.add(new Sub(p, table(w))));
    s.sort(Comparator.comparingInt((Sub x) -> x.prefix().length()).reversed());
    this.subs = List.copyOf(s);
    for (String c : config.weights().keySet()) {
      counts.put(c, new LongAdder());
    }
    config.rules().forEach(r -> counts.putIfAbsent(r.cluster(), new LongAdder()));
    config
        .paths()
        .values()
        .forEach(w -> w.keySet().forEach(c -> counts.putIfAbsent(c, new LongAdder())));
  }

  private static Table table(Map<String, Double> weights) {
    String[] clusters = new String[weights.size()];
    int[] upper = new int[weights.size()];
    int i = 0;
    long acc = 0;
    for (Map.Entry<String, Double> e : weights.entrySet()) {
      clusters[i] = e.getKey();
      acc += Math.round(e.getValue() * (TrafficConfig.BUCKETS / 100));
      upper[i] = (int) Math.min(TrafficConfig.BUCKETS, acc);
      i++;
    }
    upper[upper.length - 1] = TrafficConfig.BUCKETS;
    // a zero weight gets an empty interval; the last non-zero one takes any rounding rest
    return new Table(clusters, upper);
  }

  /**
   * Chooses the cluster of one request.
   *
   * @param path the normalized request path
   * @param header a request header by lower-case name
   */
  Choice choose(String path, Function<String, @Nullable String> header) {
    Choice c = decide(path, header);
    LongAdder n = counts.get(c.cluster());
    if (n != null) {
      n.increment();
    }
    decisions.record("gateway-split-" + route, "to-" + c.cluster(), c.reason());
    return c;
  }

  private Choice decide(String path, Function<String, @Nullable String> header) {
    for (TrafficConfig.Rule r : config.rules()) {
      String v =
          r.source() == TrafficConfig.KeySource.HEADER
              ? header.apply(r.key())
              : cookie(header.apply("cookie"), r.key());
      if (r.value().equals(v)) {
        return new Choice(r.cluster(), "rule " + r.name());
      }
    }
    Table t = main;
    for (Sub s : subs) {
      if (path.equals(s.prefix())
          || path.startsWith(s.prefix().endsWith("/") ? s.prefix() : s.prefix() + "/")) {
        t = s.table();
        break;
      }
    }
    TrafficConfig.Sticky sticky = config.sticky();
    if (sticky != null) {
      String key =
          sticky.source() == TrafficConfig.KeySource.HEADER
              ? header.apply(sticky.name())
              : cookie(header.apply("cookie"), sticky.name());
      if (key != null && !key.isEmpty()) {
        return new Choice(t.pick(stickyBucket(key, config.seed())), "sticky");
      }
      return new Choice(t.pick(sequenceBucket()), "no-key");
    }
    return new Choice(t.pick(sequenceBucket()), "weight");
  }

  private int sequenceBucket() {
    return bucket(mix(config.seed() + sequence.getAndIncrement() * 0x9E3779B97F4A7C15L));
  }

  /** The bucket of a sticky key: FNV-1a of its UTF-8 bytes, mixed with the seed. */
  static int stickyBucket(String key, long seed) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return bucket(mix(h ^ mix(seed)));
  }

  private static int bucket(long hash) {
    return (int) Math.floorMod(hash, (long) TrafficConfig.BUCKETS);
  }

  /** SplitMix64's finalizer. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The value of cookie {@code name} in a {@code Cookie} header, or null. */
  static @Nullable String cookie(@Nullable String header, String name) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(";", -1)) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).strip().equals(name)) {
        String v = part.substring(eq + 1).strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v;
      }
    }
    return null;
  }

  /** Requests sent to each cluster so far (for the admin API). */
  Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    counts.forEach((c, n) -> out.put(c, n.sum()));
    return out;
  }
}
