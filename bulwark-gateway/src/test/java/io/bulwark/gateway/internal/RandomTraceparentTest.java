package io.bulwark.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.TraceContext;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code traceparent} the proxy sends upstream when tracing is off (no trace object made). */
class RandomTraceparentTest {
  private static final ContextHeaders HEADERS = ContextHeaders.builder().build();

  @Test
  void eachIsAValidUnsampledW3cTraceparentThatParsesBackToTheSameIds() {
    Set<String> traceIds = new HashSet<>();
    Set<String> spanIds = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String value = Proxy.randomTraceparent().toString();
      assertThat(value).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
      // the trace id's high half and the span id are never zero (W3C: all-zero ids are invalid)
      assertThat(value.substring(3, 19)).isNotEqualTo("0000000000000000");
      assertThat(value.substring(36, 52)).isNotEqualTo("0000000000000000");
      Context parsed = HEADERS.extract(name -> name.equals("traceparent") ? value : null);
      TraceContext trace = Objects.requireNonNull(parsed.trace(), "no trace parsed from " + value);
      assertThat(trace.isSampled()).isFalse();
      assertThat(trace.traceId()).isEqualTo(value.substring(3, 35));
      assertThat(trace.spanId()).isEqualTo(value.substring(36, 52));
      assertThat(trace.toTraceparent()).isEqualTo(value);
      traceIds.add(trace.traceId());
      spanIds.add(trace.spanId());
    }
    // random ids: 1,000 draws of 64 bits or more collide with a negligible probability
    assertThat(traceIds).hasSize(1_000);
    assertThat(spanIds).hasSize(1_000);
  }
}
