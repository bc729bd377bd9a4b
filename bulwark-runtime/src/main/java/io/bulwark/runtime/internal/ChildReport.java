package io.bulwark.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.resilience.CircuitBreaker;
import io.bulwark.runtime.BreakerView;
import io.bulwark.telemetry.RedSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What a process-mode child tells the parent at each scrape of {@value #PATH}, and its JSON form:
 * the child's cumulative answer counters (requests, 5xx, 429, 503, summed latency), the latencies
 * recorded since the previous scrape (an HdrHistogram, compressed, base64), every circuit breaker's
 * last transition with its reason (its age, since the two JVMs' clocks differ), and the RED
 * aggregates of every route and dependency of its telemetry.
 *
 * <p>A child has one scraper, its parent: the latency histogram is an interval, so a scrape whose
 * answer is lost loses that interval's latencies (the counters are cumulative and lose nothing).
 */
record ChildReport(
    long requests,
    long errors,
    long rateLimited,
    long unavailable,
    long durationNanos,
    Histogram latencies,
    List<Breaker> breakers,
    List<RedSnapshot> endpoints,
    List<RedSnapshot> dependencies) {

  /** The child's route the parent scrapes (a system route: outside shedding and deadlines). */
  static final String PATH = "/metrics/runtime";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** An empty report: what a child's counters are before its first answer. */
  static final ChildReport ZERO =
      new ChildReport(0, 0, 0, 0, 0, new Histogram(3), List.of(), List.of(), List.of());

  /** One breaker's last transition, {@code agoNanos} before the report was written. */
  record Breaker(
      String name, CircuitBreaker.State state, String reason, long transitions, long agoNanos) {}

  /** What a child answered between two reports. */
  record Delta(
      long requests,
      long errors,
      long durationNanos,
      long rateLimited,
      long unavailable,
      Histogram latencies) {}

  /**
   * This report's counters minus {@code previous}'s (the same incarnation's earlier report), with
   * this report's interval latencies.
   */
  Delta since(ChildReport previous) {
    return new Delta(
        Math.max(0, requests - previous.requests),
        Math.max(0, errors - previous.errors),
        Math.max(0, durationNanos - previous.durationNanos),
        Math.max(0, rateLimited - previous.rateLimited),
        Math.max(0, unavailable - previous.unavailable),
        latencies);
  }

  /** The breakers as views of instance {@code instanceId}, dated on a clock reading {@code now}. */
  List<BreakerView> breakerViews(String instanceId, long now) {
    List<BreakerView> out = new ArrayList<>(breakers.size());
    for (Breaker b : breakers) {
      out.add(
          new BreakerView(
              instanceId, b.name(), b.state(), b.reason(), b.transitions(), now - b.agoNanos()));
    }
    return out;
  }

  /** The RED aggregates of {@code kind} ({@code endpoint} or {@code dependency}). */
  List<RedSnapshot> red(String kind) {
    return switch (kind) {
      case "endpoint" -> endpoints;
      case "dependency" -> dependencies;
      default -> List.of();
    };
  }

  byte[] toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("requests", requests);
    n.put("errors", errors);
    n.put("rateLimited", rateLimited);
    n.put("unavailable", unavailable);
    n.put("durationNanos", durationNanos);
    ByteBuffer buf = ByteBuffer.allocate(latencies.getNeededByteBufferCapacity());
    int length = latencies.encodeIntoCompressedByteBuffer(buf);
    n.put(
        "latencies",
        Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), length)));
    ArrayNode bs = n.putArray("breakers");
    for (Breaker b : breakers) {
      ObjectNode o = bs.addObject();
      o.put("name", b.name());
      o.put("state", b.state().name());
      o.put("reason", b.reason());
      o.put("transitions", b.transitions());
      o.put("agoNanos", b.agoNanos());
    }
    n.set("endpoints", red(endpoints));
    n.set("dependencies", red(dependencies));
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException("child report: cannot write JSON: " + e, e);
    }
  }

  private static ArrayNode red(List<RedSnapshot> list) {
    ArrayNode a = JSON.createArrayNode();
    for (RedSnapshot r : list) {
      ObjectNode o = a.addObject();
      o.put("name", r.name());
      ArrayNode counts = o.putArray("counts");
      for (Outcome outcome : Outcome.values()) {
        counts.add(r.count(outcome));
      }
      ArrayNode buckets = o.putArray("buckets");
      for (long b : r.bucketCounts()) {
        buckets.add(b);
      }
      o.put("sumNanos", r.sumNanos());
    }
    return a;
  }

  /**
   * Reads a report written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException naming what is missing or malformed
   */
  static ChildReport parse(byte[] body) {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("child report: not JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("child report: not a JSON object");
    }
    List<Breaker> breakers = new ArrayList<>();
    for (JsonNode b : array(n, "breakers")) {
      breakers.add(
          new Breaker(
              text(b, "name"),
              state(text(b, "state")),
              text(b, "reason"),
              number(b, "transitions"),
              number(b, "agoNanos")));
    }
    return new ChildReport(
        number(n, "requests"),
        number(n, "errors"),
        number(n, "rateLimited"),
        number(n, "unavailable"),
        number(n, "durationNanos"),
        histogram(text(n, "latencies")),
        List.copyOf(breakers),
        snapshots("endpoint", array(n, "endpoints")),
        snapshots("dependency", array(n, "dependencies")));
  }

  private static List<RedSnapshot> snapshots(String kind, JsonNode list) {
    List<RedSnapshot> out = new ArrayList<>();
    for (JsonNode o : list) {
      JsonNode counts = array(o, "counts");
      if (counts.size() != Outcome.values().length) {
        throw new IllegalArgumentException(
            "child report: "
                + kind
                + " "
                + text(o, "name")
                + ": counts has "
                + counts.size()
                + " entries, expected one per outcome ("
                + Outcome.values().length
                + ")");
      }
      long[] c = new long[counts.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = counts.get(i).asLong();
      }
      JsonNode buckets = array(o, "buckets");
      long[] b = new long[buckets.size()];
      for (int i = 0; i < b.length; i++) {
        b[i] = buckets.get(i).asLong();
      }
      out.add(new RedSnapshot(kind, text(o, "name"), c, b, number(o, "sumNanos")));
    }
    return List.copyOf(out);
  }

  private static Histogram histogram(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("child report: latencies: not a histogram: " + e, e);
    }
  }

  private static CircuitBreaker.State state(String s) {
    try {
      return CircuitBreaker.State.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("child report: unknown breaker state \"" + s + "\"", e);
    }
  }

  private static JsonNode array(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("child report: " + field + " must be an array");
    }
    return v;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("child report: " + field + " must be a string");
    }
    return v.asText();
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong()) {
      throw new IllegalArgumentException("child report: " + field + " must be an integer");
    }
    return v.asLong();
  }
}
