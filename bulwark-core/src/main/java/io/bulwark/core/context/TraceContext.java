package io.bulwark.core.context;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
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
    byte[] id = new byte[32];
    putHex(id, 0, random.nextLong() | 1L, 16);
    putHex(id, 16, random.nextLong(), 16);
    String traceId = new String(id, StandardCharsets.ISO_8859_1);
    return new TraceContext(sampled ? FLAG_SAMPLED : 0, traceId, newSpanId(), null);
  }

  /**
   * A trace context from ids given as numbers (a generated trace id's high and low halves and a
   * span id), written as lowercase hex: the ids are valid by construction unless zero, and nothing
   * is parsed back.
   *
   * @throws IllegalArgumentException if both trace id halves, or the span id, are zero, or {@code
   *     flags} is not one byte
   */
  public static TraceContext of(long traceIdHigh, long traceIdLow, long spanId, int flags) {
    if (traceIdHigh == 0 && traceIdLow == 0) {
      throw new IllegalArgumentException("traceId must not be all zeros");
    }
    if (spanId == 0) {
      throw new IllegalArgumentException("spanId must not be all zeros");
    }
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("flags must be one byte, was " + flags);
    }
    byte[] id = new byte[32];
    putHex(id, 0, traceIdHigh, 16);
    putHex(id, 16, traceIdLow, 16);
    return new TraceContext(
        flags, new String(id, StandardCharsets.ISO_8859_1), HEX.toHexDigits(spanId), null);
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
    // one array, one string: this runs for every hop's outgoing call
    byte[] b = new byte[55];
    b[0] = '0';
    b[1] = '0';
    b[2] = '-';
    putAscii(b, 3, traceId);
    b[35] = '-';
    putAscii(b, 36, spanId);
    b[52] = '-';
    putHex(b, 53, flags, 2);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /**
   * 16 hex digits of a random id that is never zero (the JDK's formatter makes the string without
   * copying its digits).
   */
  private static String newSpanId() {
    return HEX.toHexDigits(ThreadLocalRandom.current().nextLong() | 1L);
  }

  private static final HexFormat HEX = HexFormat.of();

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

  /** {@code ascii}'s characters (known ASCII: hex ids) as bytes at {@code at}. */
  private static void putAscii(byte[] out, int at, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      out[at + i] = (byte) ascii.charAt(i);
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
