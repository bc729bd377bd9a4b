package io.bulwark.saga.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.time.Clock;
import io.bulwark.saga.PayloadTooLargeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON for inputs, results, signals and state (the engine's mapper, with the payload limit), and a
 * run's {@link Context} as stored: the context headers, with the deadline kept as an absolute time
 * so a resumed run has the time that was left, not a fresh budget.
 */
final class Json {
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final String DEADLINE_AT = "bulwark-deadline-at";

  private final ObjectMapper mapper;
  private final int limit;
  private final Clock clock;
  private final ContextHeaders headers;

  Json(ObjectMapper mapper, int limit, Clock clock) {
    this.mapper = pooled(mapper);
    this.limit = limit;
    this.clock = clock;
    this.headers = ContextHeaders.builder().clock(clock).build();
  }

  /**
   * {@code mapper}, or a copy of it whose factory shares its buffers across threads. Jackson's
   * default pool keeps one set of buffers per thread, and every run and every step action runs on a
   * virtual thread of its own, so each encode and decode allocated fresh ~16 KB char buffers (a
   * third of the saga bench's allocation). The copy has the user's configuration and modules; a
   * mapper with a pool of its own choice, or one that cannot be copied, is used as it is.
   */
  static ObjectMapper pooled(ObjectMapper mapper) {
    JsonFactory factory = mapper.getFactory();
    if (factory._getRecyclerPool() != JsonRecyclerPools.threadLocalPool()) {
      return mapper;
    }
    try {
      return mapper.copyWith(
          factory.copy().setRecyclerPool(JsonRecyclerPools.newConcurrentDequePool()));
    } catch (IllegalStateException e) {
      return mapper; // a mapper subclass that does not support copying
    }
  }

  /** {@code value} as JSON, refused over the limit (naming the run, {@code what} and sizes). */
  String encode(String runId, String what, @Nullable Object value) {
    String json;
    try {
      json = mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "run " + runId + ": " + what + " cannot be written as JSON: " + e.getOriginalMessage(),
          e);
    }
    checkSize(runId, what, json);
    return json;
  }

  void checkSize(String runId, String what, String json) {
    // a JSON text is mostly ASCII: its length bounds the UTF-8 size from below; count exactly when
    // it might be over
    if (json.length() > limit / 3) {
      int bytes = json.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > limit) {
        throw new PayloadTooLargeException(runId, what, bytes, limit);
      }
    }
  }

  <T> @Nullable T decode(@Nullable String json, Class<T> type) {
    if (json == null) {
      return null;
    }
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored JSON does not read as " + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }

  Map<String, String> stringMap(String json) {
    try {
      Map<String, String> m = mapper.readValue(json, STRING_MAP);
      return m == null ? Map.of() : m;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored map is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  String mapJson(Map<String, String> map) {
    try {
      return mapper.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  String contextJson(Context context) {
    Map<String, String> m = new LinkedHashMap<>();
    headers.inject(context, m::put);
    m.remove(ContextHeaders.DEADLINE);
    Deadline d = context.deadline();
    if (d != null) {
      m.put(DEADLINE_AT, Long.toString(clock.wallMillis() + d.remainingNanos() / 1_000_000));
    }
    return mapJson(m);
  }

  Context context(@Nullable String json) {
    if (json == null) {
      return Context.root();
    }
    Map<String, String> m = stringMap(json);
    Context c;
    try {
      c = headers.extract(name -> name.equals(ContextHeaders.DEADLINE) ? null : m.get(name));
    } catch (RuntimeException e) {
      c = Context.root();
    }
    String at = m.get(DEADLINE_AT);
    if (at != null) {
      long left = Long.parseLong(at) - clock.wallMillis();
      c = c.withDeadline(Deadline.after(Duration.ofMillis(Math.max(0, left)), clock));
    } else {
      c = c.withoutDeadline();
    }
    return c;
  }
}
