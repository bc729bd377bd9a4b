package io.bulwark.runtime.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-route chart history: for every route of every service, one point per tick (requests per
 * second, error percentage, mean latency in ms) over the last {@code capacity} ticks. A route that
 * served nothing in a tick where it was seen before gets a zero point, so its line shows the lull;
 * a route gone for {@code capacity} ticks is dropped. At most {@link #MAX_ROUTES} routes are kept
 * (the first seen), so route names cannot grow it without bound. Not thread-safe: the engine calls
 * it under its tick lock.
 */
final class RouteHistory {
  static final int MAX_ROUTES = 200;
  private final int capacity;
  private final Map<String, Series> routes = new TreeMap<>();

  RouteHistory(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Adds one tick: {@code counts} per {@code service \0 route} as requests, errors and summed
   * nanoseconds in {@code intervalNanos}.
   */
  void add(long atMillis, Map<String, long[]> counts, long intervalNanos) {
    for (String key : counts.keySet()) {
      if (!routes.containsKey(key) && routes.size() < MAX_ROUTES) {
        routes.put(key, new Series());
      }
    }
    routes
        .entrySet()
        .removeIf(
            e -> {
              long[] c = counts.getOrDefault(e.getKey(), new long[3]);
              e.getValue().add(atMillis, c, intervalNanos, capacity);
              return e.getValue().idle >= capacity;
            });
  }

  ArrayNode json() {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (Map.Entry<String, Series> e : routes.entrySet()) {
      String[] parts = e.getKey().split("\u0000", 2);
      ObjectNode n = out.addObject();
      n.put("service", parts[0]);
      n.put("route", parts[1]);
      ArrayNode t = n.putArray("t");
      ArrayNode rps = n.putArray("rps");
      ArrayNode err = n.putArray("errorPct");
      ArrayNode mean = n.putArray("meanMs");
      for (double[] p : e.getValue().points) {
        t.add((long) p[0]);
        rps.add(p[1]);
        err.add(p[2]);
        mean.add(p[3]);
      }
    }
    return out;
  }

  private static final class Series {
    final ArrayDeque<double[]> points = new ArrayDeque<>();
    int idle;

    void add(long atMillis, long[] c, long intervalNanos, int capacity) {
      double rps = intervalNanos <= 0 ? 0 : c[0] * 1e9 / intervalNanos;
      points.addLast(
          new double[] {
            atMillis,
            round(rps),
            c[0] == 0 ? 0 : round(100.0 * c[1] / c[0]),
            c[0] == 0 ? 0 : round(c[2] / 1e6 / c[0])
          });
      if (points.size() > capacity) {
        points.removeFirst();
      }
      idle = c[0] == 0 ? idle + 1 : 0;
    }
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
