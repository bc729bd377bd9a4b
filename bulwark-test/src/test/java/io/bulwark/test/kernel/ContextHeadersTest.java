package io.bulwark.test.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.Criticality;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.core.context.TraceContext;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContextHeadersTest {
  private final VirtualClock clock = new VirtualClock();
  private final ContextHeaders headers =
      ContextHeaders.builder().clock(clock).maxDeadline(Duration.ofSeconds(30)).build();

  @Test
  void roundTripsEveryValueAndTheDeadlineShrinksByTheTimeSpent() {
    TraceContext trace = TraceContext.newTrace(true);
    Context sent =
        Context.root()
            .withTimeout(Duration.ofMillis(800), clock)
            .withCriticality(Criticality.SHEDDABLE_PLUS)
            .withCorrelationId("order-42")
            .withTrace(trace)
            .withBaggage("cohort", "canary")
            .withBaggage("note", "a,b;c=d %é");
    Map<String, String> wire = new HashMap<>();
    headers.inject(sent, wire::put);

    clock.advance(Duration.ofMillis(300)); // time spent before the next hop reads it
    Context received = headers.extract(wire::get);

    assertThat(wire.get("bulwark-deadline")).isEqualTo("800");
    assertThat(received.deadline()).isNotNull();
    assertThat(received.deadline().remaining()).isEqualTo(Duration.ofMillis(800));
    assertThat(received.criticality()).isEqualTo(Criticality.SHEDDABLE_PLUS);
    assertThat(received.correlationId()).isEqualTo("order-42");
    assertThat(received.trace()).isEqualTo(trace);
    assertThat(received.baggage()).isEqualTo(sent.baggage());
  }

  @Test
  void aDeadlineLongerThanTheCapIsCut() {
    Context received = headers.extract(Map.of("bulwark-deadline", "3600000")::get);
    assertThat(received.deadline().remaining()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void noHeadersGiveTheRootContextOrTheDefaultDeadline() {
    assertThat(headers.extract(Map.<String, String>of()::get).deadline()).isNull();
    ContextHeaders withDefault =
        ContextHeaders.builder().clock(clock).defaultDeadline(Duration.ofSeconds(2)).build();
    assertThat(withDefault.extract(Map.<String, String>of()::get).deadline().remaining())
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void anExpiredDeadlineTravelsAsZero() {
    Context sent = Context.root().withTimeout(Duration.ofMillis(10), clock);
    clock.advance(Duration.ofMillis(25));
    Map<String, String> wire = new HashMap<>();
    headers.inject(sent, wire::put);
    assertThat(wire.get("bulwark-deadline")).isEqualTo("0");
    assertThat(headers.extract(wire::get).deadline().isExpired()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
        "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g",
        "zz-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
      })
  void malformedTraceparentIsRejectedNamingTheHeaderAndValue(String value) {
    assertThatThrownBy(() -> headers.extract(Map.of("traceparent", value)::get))
        .isInstanceOf(MalformedHeaderException.class)
        .hasMessageStartingWith("malformed header traceparent: \"" + value + "\"")
        .satisfies(e -> assertThat(((MalformedHeaderException) e).isRetriable()).isFalse());
  }

  @Test
  void validTraceparentOfAFutureVersionIsAccepted() {
    Context c =
        headers.extract(
            Map.of("traceparent", "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what")
                ::get);
    assertThat(c.trace().traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(c.trace().isSampled()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-5", "abc", "1.5", "12ms", "9999999999999999999", " "})
  void malformedDeadlineIsRejected(String value) {
    assertThatThrownBy(() -> headers.extract(Map.of("bulwark-deadline", value)::get))
        .isInstanceOf(MalformedHeaderException.class)
        .hasMessageContaining("bulwark-deadline")
        .hasMessageContaining("\"" + value + "\"")
        .hasMessageContaining("milliseconds");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "URGENT", "critical plus", "1"})
  void malformedCriticalityIsRejected(String value) {
    assertThatThrownBy(() -> headers.extract(Map.of("bulwark-criticality", value)::get))
        .isInstanceOf(MalformedHeaderException.class)
        .hasMessageContaining("bulwark-criticality")
        .hasMessageContaining("CRITICAL_PLUS");
  }

  @Test
  void criticalityIsParsedCaseInsensitively() {
    assertThat(headers.extract(Map.of("bulwark-criticality", "sheddable-plus")::get).criticality())
        .isEqualTo(Criticality.SHEDDABLE_PLUS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"noequals", "k=v,,k2=v2", "bad key=v", "k=%zz", "k=%4", "k=a b"})
  void malformedBaggageIsRejected(String value) {
    assertThatThrownBy(() -> headers.extract(Map.of("baggage", value)::get))
        .isInstanceOf(MalformedHeaderException.class)
        .hasMessageContaining("baggage");
  }

  @Test
  void baggagePropertiesAndWhitespaceAreTolerated() {
    Context c = headers.extract(Map.of("baggage", " a = 1 ;prop=x , b=%20two")::get);
    assertThat(c.baggage().asMap()).containsExactly(Map.entry("a", "1"), Map.entry("b", " two"));
  }

  @Test
  void correlationIdMustBeVisibleAsciiOfBoundedLength() {
    assertThatThrownBy(() -> headers.extract(Map.of("bulwark-correlation-id", "a b")::get))
        .isInstanceOf(MalformedHeaderException.class)
        .hasMessageContaining("bulwark-correlation-id");
    assertThatThrownBy(
            () -> headers.extract(Map.of("bulwark-correlation-id", "x".repeat(129))::get))
        .isInstanceOf(MalformedHeaderException.class);
  }

  @Test
  void builderRejectsNonsensicalCaps() {
    assertThatThrownBy(() -> ContextHeaders.builder().maxDeadline(Duration.ZERO))
        .hasMessageContaining("maxDeadline must be positive, was PT0S");
    assertThatThrownBy(
            () ->
                ContextHeaders.builder()
                    .maxDeadline(Duration.ofSeconds(1))
                    .defaultDeadline(Duration.ofSeconds(5))
                    .build())
        .hasMessageContaining("defaultDeadline PT5S is longer than maxDeadline PT1S");
  }
}
