package io.bulwark.core.context;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The W3C Trace Context of a request: trace id, parent span id, flags and the opaque vendor trace
 * state. Immutable, with value equality over the four parts; ids read as text are lowercase hex as
 * on the wire.
 *
 * <p>Design notes: the ids are kept as numbers (the trace id's high and low 64 bits, the span id's
 * 64 bits) and written as hex only when something reads them as text ({@link #traceId()}, {@link
 * #spanId()}, {@link #toTraceparent()}): a child span's context is made for every hop, sampled or
 * not, and most of them are only ever sent on as one {@code traceparent} header, or not at all. The
 * text a caller reads is the same whichever way the context was made (from checked text, from
 * numbers, or generated). Ids given as text are checked; ids this class generates are valid by
 * construction and are not checked again.
 */
public final class TraceContext {
  public static final int FLAG_SAMPLED = 0x01;

  private final long traceIdHigh;
  private final long traceIdLow;
  private final long spanId;
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
    requireFlags(flags);
    this.traceIdHigh = parseHex(traceId, 0, 16);
    this.traceIdLow = parseHex(traceId, 16, 32);
    this.spanId = parseHex(spanId, 0, 16);
    this.flags = flags;
    this.traceState = traceState;
  }

  /** Parts known valid: generated here, or taken from a context that was checked. */
  private TraceContext(
      long traceIdHigh, long traceIdLow, long spanId, int flags, @Nullable String traceState) {
    this.traceIdHigh = traceIdHigh;
    this.traceIdLow = traceIdLow;
    this.spanId = spanId;
    this.flags = flags;
    this.traceState = traceState;
  }

  /** 32 lowercase hex digits, not all zero (written on each call). */
  public String traceId() {
    byte[] id = new byte[32];
    putHex(id, 0, traceIdHigh, 16);
    putHex(id, 16, traceIdLow, 16);
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  /** 16 lowercase hex digits, not all zero (written on each call). */
  public String spanId() {
    byte[] id = new byte[16];
    putHex(id, 0, spanId, 16);
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  /** The high 64 bits of the trace id (its first 16 hex digits). */
  public long traceIdHigh() {
    return traceIdHigh;
  }

  /** The low 64 bits of the trace id (its last 16 hex digits). */
  public long traceIdLow() {
    return traceIdLow;
  }

  /** The span id's 64 bits; never zero. */
  public long spanIdBits() {
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
        && traceIdHigh == t.traceIdHigh
        && traceIdLow == t.traceIdLow
        && spanId == t.spanId
        && flags == t.flags
        && java.util.Objects.equals(traceState, t.traceState);
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(traceIdHigh);
    h = 31 * h + Long.hashCode(traceIdLow);
    h = 31 * h + Long.hashCode(spanId);
    h = 31 * h + flags;
    return 31 * h + java.util.Objects.hashCode(traceState);
  }

  @Override
  public String toString() {
    return "TraceContext[traceId="
        + traceId()
        + ", spanId="
        + spanId()
        + ", flags="
        + flags
        + ", traceState="
        + traceState
        + "]";
  }

  /** A new trace with random ids. */
  public static TraceContext newTrace(boolean sampled) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new TraceContext(
        random.nextLong() | 1L, random.nextLong(), newSpanId(), sampled ? FLAG_SAMPLED : 0, null);
  }

  /**
   * A trace context from ids given as numbers (a trace id's high and low halves and a span id):
   * valid unless zero, and written as hex only when read as text.
   *
   * @throws IllegalArgumentException if both trace id halves, or the span id, are zero, or {@code
   *     flags} is not one byte
   */
  public static TraceContext of(long traceIdHigh, long traceIdLow, long spanId, int flags) {
    return of(traceIdHigh, traceIdLow, spanId, flags, null);
  }

  /**
   * As {@link #of(long, long, long, int)}, with the W3C trace-state header value to pass on.
   *
   * @throws IllegalArgumentException if both trace id halves, or the span id, are zero, or {@code
   *     flags} is not one byte
   */
  public static TraceContext of(
      long traceIdHigh, long traceIdLow, long spanId, int flags, @Nullable String traceState) {
    if (traceIdHigh == 0 && traceIdLow == 0) {
      throw new IllegalArgumentException("traceId must not be all zeros");
    }
    if (spanId == 0) {
      throw new IllegalArgumentException("spanId must not be all zeros");
    }
    requireFlags(flags);
    return new TraceContext(traceIdHigh, traceIdLow, spanId, flags, traceState);
  }

  /** The same trace with a new span id: the context to send for a child call. */
  public TraceContext newChildSpan() {
    return new TraceContext(traceIdHigh, traceIdLow, newSpanId(), flags, traceState);
  }

  /**
   * The same trace (ids and trace state) with span id {@code spanId} and {@code flags}: the context
   * of a child span whose id was drawn elsewhere.
   *
   * @throws IllegalArgumentException if {@code spanId} is zero or {@code flags} is not one byte
   */
  public TraceContext withSpan(long spanId, int flags) {
    return of(traceIdHigh, traceIdLow, spanId, flags, traceState);
  }

  public boolean isSampled() {
    return (flags & FLAG_SAMPLED) != 0;
  }

  /** The {@code traceparent} header value (version 00). */
  public String toTraceparent() {
    // one array, one string: this runs for every hop's outgoing call
    byte[] b = new byte[55];
    b[0] = '0';
    b[1] = '0';
    b[2] = '-';
    putHex(b, 3, traceIdHigh, 16);
    putHex(b, 19, traceIdLow, 16);
    b[35] = '-';
    putHex(b, 36, spanId, 16);
    b[52] = '-';
    putHex(b, 53, flags, 2);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /**
   * The trace context of a {@code traceparent} value whose layout was checked (version, length,
   * separators and flag digits at their places), read straight from the header without cutting it
   * into strings.
   *
   * @throws IllegalArgumentException with the constructor's message if an id is not lowercase hex
   *     or is all zeros
   */
  static TraceContext fromTraceparent(String v, @Nullable String traceState) {
    if (!isLowerHex(v, 3, 35)) {
      requireHexId("traceId", v.substring(3, 35), 32); // throws with the value in its message
    }
    if (!isLowerHex(v, 36, 52)) {
      requireHexId("spanId", v.substring(36, 52), 16);
    }
    long high = parseHex(v, 3, 19);
    long low = parseHex(v, 19, 35);
    long span = parseHex(v, 36, 52);
    if (high == 0 && low == 0) {
      throw new IllegalArgumentException("traceId must not be all zeros");
    }
    if (span == 0) {
      throw new IllegalArgumentException("spanId must not be all zeros");
    }
    return new TraceContext(high, low, span, (int) parseHex(v, 53, 55), traceState);
  }

  /** A random id that is never zero. */
  private static long newSpanId() {
    return ThreadLocalRandom.current().nextLong() | 1L;
  }

  private static final byte[] HEX_DIGITS = {
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'
  };

  /** The low {@code digits} hex digits of {@code value}, lower case, zero-padded, at {@code at}. */
  private static void putHex(byte[] out, int at, long value, int digits) {
    long v = value;
    for (int i = at + digits - 1; i >= at; i--) {
      out[i] = HEX_DIGITS[(int) (v & 0xf)];
      v >>>= 4;
    }
  }

  /** The value of the hex digits {@code s[from, to)}, at most 16, known lowercase hex. */
  private static long parseHex(String s, int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      v = (v << 4) | (c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return v;
  }

  private static void requireFlags(int flags) {
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("flags must be one byte, was " + flags);
    }
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

  /** A plain loop: a stream costs three objects a call. */
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
