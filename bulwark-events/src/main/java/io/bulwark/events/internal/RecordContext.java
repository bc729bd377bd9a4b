package io.bulwark.events.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.core.time.Clock;
import io.bulwark.events.EventRecord;
import io.bulwark.events.Headers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The sender's {@link Context} on a record, the same on every backend. Everything travels as {@link
 * ContextHeaders} writes it, except the deadline: on an HTTP hop {@code bulwark-deadline} carries
 * the time left and the receiver re-bases it on arrival, but a record may be read long after it was
 * sent, so a record carries the absolute deadline instead ({@link EventRecord#DEADLINE_AT_HEADER},
 * wall-clock epoch milliseconds: producer and consumer are different processes, so their clocks
 * must roughly agree). A relative {@code bulwark-deadline} header on a record is ignored, since the
 * moment it was measured from is unknown. Stateless and thread-safe.
 */
public final class RecordContext {
  private static final ContextHeaders CODEC = ContextHeaders.builder().build();
  private static final long MAX_LEFT_MILLIS = java.time.Duration.ofDays(365).toMillis();

  private RecordContext() {}

  /** Writes {@code context} as record headers, the deadline as epoch millis on {@code wall}. */
  public static void inject(Context context, Clock wall, BiConsumer<String, String> headers) {
    CODEC.inject(
        context,
        (name, value) -> {
          if (!name.equals(ContextHeaders.DEADLINE)) {
            headers.accept(name, value);
          }
        });
    Deadline deadline = context.deadline();
    if (deadline != null) {
      long leftMillis = Math.max(0, deadline.remainingNanos() / 1_000_000);
      headers.accept(EventRecord.DEADLINE_AT_HEADER, Long.toString(wall.wallMillis() + leftMillis));
    }
  }

  /**
   * The headers a producer writes for a record sent under {@code sender}: the context's, then the
   * record's own, which win over them except for the trace. A record carries the span of its own
   * send: a {@code traceparent} or {@code tracestate} copied from another record (one forwarded or
   * dead-lettered with its headers) would make that record's consumer a child of the wrong span.
   */
  public static Map<String, String> headers(Context sender, Clock wall, Headers own) {
    Map<String, String> merged = new LinkedHashMap<>();
    inject(sender, wall, merged::putIfAbsent);
    boolean traced = merged.containsKey(ContextHeaders.TRACEPARENT);
    own.asMap()
        .forEach(
            (name, value) -> {
              if (!traced
                  || !(name.equals(ContextHeaders.TRACEPARENT)
                      || name.equals(ContextHeaders.TRACESTATE))) {
                merged.put(name, value);
              }
            });
    return merged;
  }

  /**
   * Restores the sender's context with {@code codec}; the deadline's time left is measured from now
   * on {@code wall} (zero, hence expired, once the absolute deadline passed) and then capped and
   * re-based by {@code codec} like any received deadline.
   *
   * @throws MalformedHeaderException if a context header is malformed
   */
  public static Context extract(Headers headers, ContextHeaders codec, Clock wall) {
    return codec.extract(
        name ->
            name.equals(ContextHeaders.DEADLINE) ? millisLeft(headers, wall) : headers.get(name));
  }

  private static @Nullable String millisLeft(Headers headers, Clock wall) {
    String at = headers.get(EventRecord.DEADLINE_AT_HEADER);
    if (at == null) {
      return null;
    }
    long epochMillis;
    try {
      epochMillis = Long.parseLong(at.strip());
    } catch (NumberFormatException e) {
      throw new MalformedHeaderException(
          EventRecord.DEADLINE_AT_HEADER, at, "expected the deadline as epoch milliseconds");
    }
    long now = wall.wallMillis();
    // no overflow for hostile values: a passed (or negative) instant leaves nothing, and what is
    // left is kept below a year, far above any codec's cap, so the codec sees a value it parses
    return Long.toString(epochMillis <= now ? 0 : Math.min(epochMillis - now, MAX_LEFT_MILLIS));
  }
}
