package io.bulwark.core.context;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context of a request: trace id, parent span id, flags and the opaque vendor trace
 * state. Immutable, with value equality over the four parts; ids are lowercase hex as on the wire.
 * Ids given to the constructor are checked; ids this class generates are valid by construction and
 * are not checked again (a child span's context is made for every hop, sampled or not).
 */
public final class TraceContext {
  public static final int FLAG_SAMPLED = 0x01;

  private final String traceId;
  private final String spanId;
  private final int flags;
  private final @Nullable String traceState;

  /**
   * A trace context from its parts, checked.
   *
   * @param traceId 32 lowercase hex digits, not all zero
   * @param spanId 16 lowercase hex digits, not all zero
   * @param flags the trace flags byte; bit 0 is "sampled"
   * @param traceState the W3C trace-state header value, passed on unchanged, or null
   */
  public TraceContext(String traceId, String spanId, int flags, @Nullable String traceState) {
    requireHexId("traceId", traceId, 32);
    requireHexId("spanId", spanId, 16);
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("flags must be one byte, was " + flags);
    }
    this.traceId = traceId;
    this.spanId = spanId;
    this.flags = flags;
    this.traceState = traceState;
  }

  /** Parts known valid: generated here, or taken from a context that was checked. */
  private TraceContext(int flags, String traceId, String spanId, @Nullable String traceState) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.flags = flags;
    this.traceState = traceState;
  }

  /** 32 lowercase hex digits, not all zero. */
  public String traceId() {
    return traceId;
  }

  /** 16 lowercase hex digits, not all zero. */
  public String spanId() {
    return spanId;
  }

  /** The trace flags byte; bit 0 is "sampled". */
  public int flags() {
    return flags;
  }

  /** The W3C trace-state header value, passed on unchanged, or null. */
  public @Nullable String traceState() {
    return traceState;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TraceContext t
        && traceId.equals(t.traceId)
        && spanId.equals(t.spanId)
        && flags == t.flags
        && Objects.equals(traceState, t.traceState);
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceId, spanId, flags, traceState);
  }

  @Override
  public String toString() {
    return "TraceContext[traceId="
        + traceId
        + ", spanId="
        + spanId
        + ", flags="
        + flags
        + ", traceState="
        + traceState
        + "]";
  }

  /** A new trace with random ids. */
  public static TraceContext newTrace(boolean sampled) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String traceId = hex(random.nextLong() | 1L, 16) + hex(random.nextLong(), 16);
    return new TraceContext(sampled ? FLAG_SAMPLED : 0, traceId, newSpanId(), null);
  }

  /** The same trace with a new span id: the context to send for a child call. */
  public TraceContext newChildSpan() {
    return new TraceContext(flags, traceId, newSpanId(), traceState);
  }

  public boolean isSampled() {
    return (flags & FLAG_SAMPLED) != 0;
  }

  /** The {@code traceparent} header value (version 00). */
  public String toTraceparent() {
    return "00-" + traceId + "-" + spanId + "-" + hex(flags, 2);
  }

  /** 16 hex digits of a random id that is never zero. */
  private static String newSpanId() {
    return hex(ThreadLocalRandom.current().nextLong() | 1L, 16);
  }

  private static String hex(long value, int digits) {
    String s = Long.toHexString(value);
    return s.length() >= digits ? s : "0".repeat(digits - s.length()) + s;
  }

  private static void requireHexId(String name, String value, int length) {
    if (value.length() != length || !isLowerHex(value, 0, length)) {
      throw new IllegalArgumentException(
          name + " must be " + length + " lowercase hex digits, was \"" + value + "\"");
    }
    if (allZeros(value)) {
      throw new IllegalArgumentException(name + " must not be all zeros");
    }
  }

  /** A plain loop: every span's context passes here, and a stream costs three objects a call. */
  private static boolean allZeros(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  static boolean isLowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
