package io.bulwark.chaos.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.chaos.LatencyDistribution;
import io.bulwark.core.config.Durations;
import io.bulwark.core.fault.FaultPointKind;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JSON form of a {@link FaultSpec} (what {@code POST /chaos/faults} takes) and of an {@link
 * ActiveFault} (what the routes list). Every error names the field ({@code fault.status}) and the
 * value; unknown fields are refused, so a typo is never silently ignored.
 *
 * <pre>{@code
 * {"fault": {"type": "latency", "delay": "200ms"},
 *  "radius": {"points": ["http-server"], "service": "inventory", "route": "/stock/*",
 *             "percent": 30, "cohort": "exp-1", "decision": "per-attempt"},
 *  "duration": "30s", "experiment": "exp-1", "seed": 42}
 * }</pre>
 */
final class FaultJson {
  private static final Set<String> TOP =
      Set.of("fault", "radius", "duration", "experiment", "seed");
  private static final Set<String> RADIUS =
      Set.of("points", "service", "instance", "route", "percent", "cohort", "decision");

  private FaultJson() {}

  /** Thrown for bad input: the message names the field and the value. */
  static final class BadInput extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String field;

    BadInput(String field, String message) {
      super(field + ": " + message);
      this.field = field;
    }
  }

  static FaultSpec parse(JsonNode root) {
    if (!root.isObject()) {
      throw new BadInput("(body)", "expected a JSON object, got " + root.getNodeType());
    }
    unknown(root, TOP, "");
    JsonNode faultNode = require(root, "fault", "");
    Fault fault = fault(faultNode);
    BlastRadius radius = root.has("radius") ? radius(root.get("radius")) : BlastRadius.everything();
    Duration duration = duration(require(root, "duration", ""), "duration");
    String experiment = root.has("experiment") ? text(root.get("experiment"), "experiment") : "";
    long seed = root.has("seed") ? integer(root.get("seed"), "seed") : 0;
    return attempt("(body)", () -> new FaultSpec(fault, radius, duration, experiment, seed));
  }

  private static Fault fault(JsonNode f) {
    if (!f.isObject()) {
      throw new BadInput("fault", "expected an object, got " + f.getNodeType());
    }
    String type = text(require(f, "type", "fault."), "fault.type");
    return switch (type) {
      case "latency" -> latency(f);
      case "http-error" -> {
        unknown(f, Set.of("type", "status"), "fault.");
        int status = (int) integer(require(f, "status", "fault."), "fault.status");
        yield attempt("fault.status", () -> new Fault.HttpError(status));
      }
      case "exception" -> {
        unknown(f, Set.of("type", "class", "message"), "fault.");
        String cls = text(require(f, "class", "fault."), "fault.class");
        String message =
            f.has("message") ? text(f.get("message"), "fault.message") : "injected by chaos";
        yield attempt("fault.class", () -> Fault.Raise.of(cls, message));
      }
      case "blackhole" -> {
        unknown(f, Set.of("type"), "fault.");
        yield new Fault.Blackhole();
      }
      case "slow-body" -> {
        unknown(f, Set.of("type", "bytes-per-second"), "fault.");
        long bps = integer(require(f, "bytes-per-second", "fault."), "fault.bytes-per-second");
        yield attempt("fault.bytes-per-second", () -> new Fault.SlowBody(bps));
      }
      case "truncated-body" -> {
        unknown(f, Set.of("type", "keep-bytes"), "fault.");
        int keep = (int) integer(require(f, "keep-bytes", "fault."), "fault.keep-bytes");
        yield attempt("fault.keep-bytes", () -> new Fault.TruncatedBody(keep));
      }
      case "duplicate-delivery" -> {
        unknown(f, Set.of("type", "copies"), "fault.");
        int copies = (int) integer(require(f, "copies", "fault."), "fault.copies");
        yield attempt("fault.copies", () -> new Fault.DuplicateDelivery(copies));
      }
      case "reorder-delivery" -> {
        unknown(f, Set.of("type", "window"), "fault.");
        int window = (int) integer(require(f, "window", "fault."), "fault.window");
        yield attempt("fault.window", () -> new Fault.ReorderDelivery(window));
      }
      case "clock-skew" -> {
        unknown(f, Set.of("type", "offset"), "fault.");
        Duration offset = duration(require(f, "offset", "fault."), "fault.offset");
        yield attempt("fault.offset", () -> new Fault.ClockSkew(offset));
      }
      case "sql-error" -> {
        unknown(f, Set.of("type", "sql-state", "message"), "fault.");
        String state = text(require(f, "sql-state", "fault."), "fault.sql-state");
        String message =
            f.has("message") ? text(f.get("message"), "fault.message") : "injected by chaos";
        yield attempt("fault.sql-state", () -> new Fault.SqlError(state, message));
      }
      case "cpu-burn" -> {
        unknown(f, Set.of("type", "threads"), "fault.");
        int threads = (int) integer(require(f, "threads", "fault."), "fault.threads");
        yield attempt("fault.threads", () -> new Fault.CpuBurn(threads));
      }
      case "memory-ballast" -> {
        unknown(f, Set.of("type", "bytes"), "fault.");
        long bytes = integer(require(f, "bytes", "fault."), "fault.bytes");
        yield attempt("fault.bytes", () -> new Fault.MemoryBallast(bytes));
      }
      default ->
          throw new BadInput(
              "fault.type",
              "unknown fault type \""
                  + type
                  + "\"; expected one of [latency, http-error, exception, blackhole, slow-body,"
                  + " truncated-body, duplicate-delivery, reorder-delivery, clock-skew, sql-error,"
                  + " cpu-burn, memory-ballast]");
    };
  }

  /** {@code delay} (fixed), {@code min}+{@code max} (uniform) or {@code mean}+{@code max}. */
  private static Fault latency(JsonNode f) {
    unknown(f, Set.of("type", "delay", "min", "max", "mean"), "fault.");
    if (f.has("delay")) {
      Duration d = duration(f.get("delay"), "fault.delay");
      return attempt("fault.delay", () -> Fault.Latency.of(d));
    }
    if (f.has("mean")) {
      Duration mean = duration(f.get("mean"), "fault.mean");
      Duration max = duration(require(f, "max", "fault."), "fault.max");
      return attempt(
          "fault.mean", () -> new Fault.Latency(LatencyDistribution.exponential(mean, max)));
    }
    if (f.has("min")) {
      Duration min = duration(f.get("min"), "fault.min");
      Duration max = duration(require(f, "max", "fault."), "fault.max");
      return attempt("fault.max", () -> new Fault.Latency(LatencyDistribution.uniform(min, max)));
    }
    throw new BadInput("fault.delay", "a latency fault needs delay, min+max or mean+max");
  }

  private static BlastRadius radius(JsonNode r) {
    if (!r.isObject()) {
      throw new BadInput("radius", "expected an object, got " + r.getNodeType());
    }
    unknown(r, RADIUS, "radius.");
    BlastRadius.Builder b = BlastRadius.builder();
    if (r.has("points")) {
      JsonNode points = r.get("points");
      if (!points.isArray()) {
        throw new BadInput("radius.points", "expected an array, got " + points.getNodeType());
      }
      for (int i = 0; i < points.size(); i++) {
        String field = "radius.points[" + i + "]";
        String key = text(points.get(i), field);
        b.points(attempt(field, () -> FaultPointKind.fromKey(key)));
      }
    }
    if (r.has("service")) {
      String v = text(r.get("service"), "radius.service");
      attempt("radius.service", () -> b.service(v));
    }
    if (r.has("instance")) {
      String v = text(r.get("instance"), "radius.instance");
      attempt("radius.instance", () -> b.instance(v));
    }
    if (r.has("route")) {
      String v = text(r.get("route"), "radius.route");
      attempt("radius.route", () -> b.route(v));
    }
    if (r.has("percent")) {
      JsonNode p = r.get("percent");
      if (!p.isNumber()) {
        throw new BadInput("radius.percent", "expected a number, got " + p);
      }
      attempt("radius.percent", () -> b.percent(p.asDouble()));
    }
    if (r.has("cohort")) {
      String v = text(r.get("cohort"), "radius.cohort");
      attempt("radius.cohort", () -> b.cohort(v));
    }
    if (r.has("decision")) {
      String v = text(r.get("decision"), "radius.decision");
      attempt("radius.decision", () -> b.decision(BlastRadius.Decision.fromKey(v)));
    }
    return b.build();
  }

  /**
   * The JSON form of {@code spec} that {@link #parse} reads back to an equal spec: what relays a
   * fault started in one process to another's admin endpoint.
   */
  static ObjectNode write(FaultSpec spec) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("fault", fault(spec.fault()));
    ObjectNode r = o.putObject("radius");
    BlastRadius radius = spec.radius();
    if (!radius.points().isEmpty()) {
      var points = r.putArray("points");
      radius.points().stream().map(FaultPointKind::key).sorted().forEach(points::add);
    }
    putIfSet(r, "service", radius.service());
    putIfSet(r, "instance", radius.instance());
    putIfSet(r, "route", radius.route());
    r.put("percent", radius.percent());
    putIfSet(r, "cohort", radius.cohort());
    r.put("decision", radius.decision().key());
    o.put("duration", iso(spec.duration()));
    o.put("experiment", spec.experiment());
    o.put("seed", spec.seed());
    return o;
  }

  private static ObjectNode fault(Fault fault) {
    ObjectNode f = JsonNodeFactory.instance.objectNode();
    f.put("type", fault.type());
    switch (fault) {
      case Fault.Latency l -> {
        switch (l.delay()) {
          case LatencyDistribution.Fixed x -> f.put("delay", iso(x.delay()));
          case LatencyDistribution.Uniform u -> {
            f.put("min", iso(u.min()));
            f.put("max", iso(u.max()));
          }
          case LatencyDistribution.Exponential e -> {
            f.put("mean", iso(e.mean()));
            f.put("max", iso(e.max()));
          }
        }
      }
      case Fault.HttpError h -> f.put("status", h.status());
      case Fault.Raise x -> {
        f.put("class", x.exceptionType().getName());
        f.put("message", x.message());
      }
      case Fault.SqlError x -> {
        f.put("sql-state", x.sqlState());
        f.put("message", x.message());
      }
      case Fault.Blackhole x -> {}
      case Fault.SlowBody x -> f.put("bytes-per-second", x.bytesPerSecond());
      case Fault.TruncatedBody x -> f.put("keep-bytes", x.keepBytes());
      case Fault.DuplicateDelivery x -> f.put("copies", x.copies());
      case Fault.ReorderDelivery x -> f.put("window", x.window());
      case Fault.ClockSkew x -> f.put("offset", iso(x.offset()));
      case Fault.CpuBurn x -> f.put("threads", x.threads());
      case Fault.MemoryBallast x -> f.put("bytes", x.bytes());
    }
    return f;
  }

  /** A duration as {@code Durations.parse} reads it back exactly: ISO-8601 ({@code PT1.5S}). */
  private static String iso(Duration d) {
    return d.toString();
  }

  private static void putIfSet(ObjectNode o, String key, @Nullable String value) {
    if (value != null) {
      o.put(key, value);
    }
  }

  static ObjectNode render(ActiveFault f, long injections) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", f.id());
    o.put("type", f.spec().fault().type());
    o.put("fault", f.spec().fault().toString());
    o.put("radius", f.spec().radius().toString());
    o.put("experiment", f.spec().experiment());
    o.put("seed", f.spec().seed());
    o.put("started-at", f.startedAt().toString());
    o.put("expires-at", f.expiresAt().toString());
    o.put("injections", injections);
    return o;
  }

  // --- field readers: each names the field and the value it refuses

  private static JsonNode require(JsonNode o, String key, String prefix) {
    JsonNode v = o.get(key);
    if (v == null || v.isNull()) {
      throw new BadInput(prefix + key, "is required");
    }
    return v;
  }

  private static void unknown(JsonNode o, Set<String> known, String prefix) {
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      String k = e.getKey();
      if (!known.contains(k)) {
        throw new BadInput(
            prefix + k, "unknown field; known here: " + known.stream().sorted().toList());
      }
    }
  }

  private static String text(JsonNode v, String field) {
    if (!v.isTextual()) {
      throw new BadInput(field, "expected a string, got " + v);
    }
    return v.asText();
  }

  private static long integer(JsonNode v, String field) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new BadInput(field, "expected an integer, got " + v);
    }
    long value = v.asLong();
    if (field.endsWith("status")
        || field.endsWith("copies")
        || field.endsWith("window")
        || field.endsWith("threads")
        || field.endsWith("keep-bytes")) {
      if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
        throw new BadInput(field, "out of range: " + value);
      }
    }
    return value;
  }

  private static Duration duration(JsonNode v, String field) {
    String text = text(v, field);
    return attempt(field, () -> Durations.parse(text));
  }

  private static <T> T attempt(String field, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new BadInput(field, String.valueOf(e.getMessage()));
    }
  }
}
