package io.bulwark.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

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
}
