package io.bulwark.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The id checks every span's context passes: exact length, lowercase hex, never all zeros. */
class TraceContextIdsTest {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String SPAN = "00f067aa0ba902b7";

  @Test
  void allZeroIdsAreRefusedAndOneNonZeroDigitAnywhereIsEnough() {
    assertThatThrownBy(() -> new TraceContext("0".repeat(32), SPAN, 1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceId must not be all zeros");
    assertThatThrownBy(() -> new TraceContext(TRACE, "0".repeat(16), 1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spanId must not be all zeros");
    for (int i = 0; i < 32; i++) {
      String trace = "0".repeat(i) + "1" + "0".repeat(31 - i);
      assertThat(new TraceContext(trace, SPAN, 1, null).traceId()).isEqualTo(trace);
    }
    for (int i = 0; i < 16; i++) {
      String span = "0".repeat(i) + "f" + "0".repeat(15 - i);
      assertThat(new TraceContext(TRACE, span, 0, null).spanId()).isEqualTo(span);
    }
  }

  @Test
  void wrongLengthOrDigitsAreRefusedBeforeTheZeroCheck() {
    assertThatThrownBy(() -> new TraceContext("0".repeat(31), SPAN, 1, null))
        .hasMessageContaining("traceId must be 32 lowercase hex digits");
    assertThatThrownBy(() -> new TraceContext(TRACE, "00F067AA0BA902B7", 1, null))
        .hasMessageContaining("spanId must be 16 lowercase hex digits");
    assertThatThrownBy(() -> new TraceContext(TRACE, "0".repeat(15) + "g", 1, null))
        .hasMessageContaining("spanId must be 16 lowercase hex digits");
  }

  @Test
  void traceparentKeepsLeadingZerosAndFormatsEveryFlagByte() {
    String trace = "0".repeat(31) + "1";
    String span = "000000000000000a";
    assertThat(new TraceContext(trace, span, 0, null).toTraceparent())
        .isEqualTo("00-" + trace + "-" + span + "-00");
    assertThat(new TraceContext(TRACE, SPAN, 1, null).toTraceparent())
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(new TraceContext(TRACE, SPAN, 0x0a, null).toTraceparent()).endsWith("-0a");
    assertThat(new TraceContext(TRACE, SPAN, 0xff, null).toTraceparent()).endsWith("-ff");
  }

  @Test
  void newTracesSendTheirIdsAndFlagsAndParseBack() {
    ContextHeaders headers = ContextHeaders.builder().build();
    for (int i = 0; i < 1_000; i++) {
      TraceContext t = TraceContext.newTrace(i % 2 == 0).newChildSpan();
      String parent = t.toTraceparent();
      assertThat(parent)
          .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")
          .isEqualTo("00-" + t.traceId() + "-" + t.spanId() + "-0" + (i % 2 == 0 ? "1" : "0"));
      Context back = headers.extract(n -> n.equals(ContextHeaders.TRACEPARENT) ? parent : null);
      assertThat(back.trace()).isEqualTo(t);
    }
  }

  @Test
  void newIdsAlwaysPassTheirOwnChecks() {
    for (int i = 0; i < 1_000; i++) {
      TraceContext root = TraceContext.newTrace(i % 2 == 0);
      TraceContext child = root.newChildSpan();
      assertThat(new TraceContext(child.traceId(), child.spanId(), child.flags(), null))
          .isEqualTo(child);
      assertThat(child.traceId()).isEqualTo(root.traceId());
    }
  }

  @Test
  void idsGivenAsNumbersAreWrittenAsPaddedLowercaseHexAndEqualTheCheckedForm() {
    TraceContext t =
        TraceContext.of(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, 1);
    assertThat(t).isEqualTo(new TraceContext(TRACE, SPAN, 1, null));
    assertThat(TraceContext.of(0, 1, 0xa, 0).toTraceparent())
        .isEqualTo("00-" + "0".repeat(31) + "1-000000000000000a-00");
    assertThat(TraceContext.of(-1L, Long.MIN_VALUE, -1L, 0xff).toTraceparent())
        .isEqualTo("00-ffffffffffffffff8000000000000000-ffffffffffffffff-ff");
    assertThat(TraceContext.of(1, 0, 1, 0).traceId())
        .isEqualTo("0".repeat(15) + "1" + "0".repeat(16));
  }

  @Test
  void idsGivenAsNumbersRefuseZeroIdsAndFlagsBeyondOneByte() {
    assertThatThrownBy(() -> TraceContext.of(0, 0, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("traceId must not be all zeros");
    assertThatThrownBy(() -> TraceContext.of(0, 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spanId must not be all zeros");
    assertThatThrownBy(() -> TraceContext.of(1, 1, 1, 256))
        .hasMessage("flags must be one byte, was 256");
    assertThatThrownBy(() -> TraceContext.of(1, 1, 1, -1))
        .hasMessage("flags must be one byte, was -1");
  }

  @Test
  void newCorrelationIdsAreSixteenLowercaseHexDigitsAndValid() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String id = CorrelationIds.newId();
      assertThat(id).matches("[0-9a-f]{16}");
      assertThat(CorrelationIds.isValid(id)).isTrue();
      seen.add(id);
    }
    assertThat(seen).hasSizeGreaterThan(990); // random, not a constant
  }

  @Test
  void idsKeptAsNumbersReadAsTheSameTextWhicheverWayTheContextWasMade() {
    java.util.Random random = new java.util.Random(13);
    ContextHeaders headers = ContextHeaders.builder().build();
    for (int i = 0; i < 2_000; i++) {
      // small and sign-bit values too, so that padding and the top digit are both exercised
      long high = i % 5 == 0 ? random.nextInt(16) : random.nextLong();
      long low = i % 7 == 0 ? Long.MIN_VALUE >>> random.nextInt(64) : random.nextLong() | 1L;
      long span = i % 3 == 0 ? 1L << random.nextInt(64) : random.nextLong() | 1L;
      int flags = random.nextInt(256);
      String traceText = String.format("%016x%016x", high, low);
      String spanText = String.format("%016x", span);
      String parent = String.format("00-%s-%s-%02x", traceText, spanText, flags);

      TraceContext fromText = new TraceContext(traceText, spanText, flags, "k=v");
      TraceContext fromNumbers = TraceContext.of(high, low, span, flags, "k=v");
      TraceContext fromHeader =
          headers
              .extract(
                  n ->
                      switch (n) {
                        case ContextHeaders.TRACEPARENT -> parent;
                        case ContextHeaders.TRACESTATE -> "k=v";
                        default -> null;
                      })
              .trace();
      for (TraceContext t : java.util.List.of(fromText, fromNumbers, fromHeader)) {
        assertThat(t).isEqualTo(fromText).hasSameHashCodeAs(fromText);
        assertThat(t.traceId()).isEqualTo(traceText);
        assertThat(t.spanId()).isEqualTo(spanText);
        assertThat(t.toTraceparent()).isEqualTo(parent);
        assertThat(t.traceIdHigh()).isEqualTo(high);
        assertThat(t.traceIdLow()).isEqualTo(low);
        assertThat(t.spanIdBits()).isEqualTo(span);
        assertThat(t.flags()).isEqualTo(flags);
        assertThat(t.traceState()).isEqualTo("k=v");
      }
    }
  }

  @Test
  void aChildSpanKeepsTheTraceFlagsAndStateAndOnlyItsSpanIdDiffers() {
    TraceContext parent = new TraceContext(TRACE, SPAN, 0, "vendor=1");
    TraceContext child = parent.newChildSpan();
    assertThat(child.traceId()).isEqualTo(TRACE);
    assertThat(child.flags()).isZero();
    assertThat(child.traceState()).isEqualTo("vendor=1");
    assertThat(child.spanIdBits()).isNotZero().isNotEqualTo(parent.spanIdBits());
    assertThat(child).isNotEqualTo(parent);
    assertThat(child.toTraceparent()).startsWith("00-" + TRACE + "-").endsWith("-00");

    TraceContext drawn = parent.withSpan(0x0aL, TraceContext.FLAG_SAMPLED);
    assertThat(drawn.toTraceparent()).isEqualTo("00-" + TRACE + "-000000000000000a-01");
    assertThat(drawn.traceState()).isEqualTo("vendor=1");
    assertThatThrownBy(() -> parent.withSpan(0, 1)).hasMessage("spanId must not be all zeros");
    assertThatThrownBy(() -> parent.withSpan(1, 0x100))
        .hasMessage("flags must be one byte, was 256");
  }

  @Test
  void differentTraceStatesOrFlagsMakeDifferentContexts() {
    TraceContext a = new TraceContext(TRACE, SPAN, 1, null);
    assertThat(a).isNotEqualTo(new TraceContext(TRACE, SPAN, 1, "k=v"));
    assertThat(a).isNotEqualTo(new TraceContext(TRACE, SPAN, 3, null));
    assertThat(a).isNotEqualTo(new TraceContext(TRACE.replace('4', '5'), SPAN, 1, null));
    assertThat(a.toString())
        .isEqualTo(
            "TraceContext[traceId=" + TRACE + ", spanId=" + SPAN + ", flags=1, traceState=null]");
  }

  /**
   * Ids are read straight from the header: every value that is not exactly lowercase hex where an
   * id belongs is refused with the reason the checked constructor gives, never half-parsed.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // upper case, a sign, a space, a non-ASCII digit (@), a dash inside an id
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01 | traceId must be 32 lowercase hex"
            + " digits, was \"0AF7651916CD43DD8448EB211C80319C\"",
        "00-+af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 | traceId must be 32 lowercase hex"
            + " digits, was \"+af7651916cd43dd8448eb211c80319c\"",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b71 9203331-01 | spanId must be 16 lowercase hex"
            + " digits, was \"b7ad6b71 9203331\"",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b71@9203331-01 | spanId must be 16 lowercase"
            + " hex digits, was \"b7ad6b71@9203331\"",
        "00-0af7651916cd43dd8448eb211c8031-c-b7ad6b7169203331-01 | traceId must be 32 lowercase hex"
            + " digits, was \"0af7651916cd43dd8448eb211c8031-c\"",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01 | traceId must not be all zeros",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01 | spanId must not be all zeros",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0G | flags must be 2 lowercase hex"
            + " digits",
      })
  void hostileIdsInATraceparentAreRefusedWithTheCheckedReason(String value, String reason) {
    String arabicIndicZero = String.valueOf((char) 0x0660); // a digit, but not an ASCII one
    String unescaped = value.replace("@", arabicIndicZero);
    ContextHeaders headers = ContextHeaders.builder().build();
    assertThatThrownBy(
            () -> headers.extract(n -> n.equals(ContextHeaders.TRACEPARENT) ? unescaped : null))
        .isInstanceOf(MalformedHeaderException.class)
        .hasMessage(
            "malformed header traceparent: \""
                + unescaped
                + "\": "
                + reason.replace("@", arabicIndicZero));
  }
}
