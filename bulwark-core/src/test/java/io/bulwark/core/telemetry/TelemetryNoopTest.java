package io.bulwark.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The recording API without any implementation behind it: what a user of http or events alone gets.
 */
class TelemetryNoopTest {
  private final Tracing tracing = Tracing.disabled();

  @Test
  void aDisabledSpanIsAChildOfItsParentWithAFreshSpanId() {
    TraceContext parent = TraceContext.newTrace(true);
    TelemetrySpan span =
        tracing.startSpan("GET", SpanKind.CLIENT, Context.root().withTrace(parent));

    TraceContext child = span.context().trace();
    assertThat(span.isRecording()).isFalse();
    assertThat(child).isNotNull();
    assertThat(child.traceId()).isEqualTo(parent.traceId());
    assertThat(child.flags()).isEqualTo(parent.flags());
    assertThat(child.spanId()).isNotEqualTo(parent.spanId()).hasSize(16);
  }

  @Test
  void everyHopUnderOneParentGetsItsOwnSpanIdAndKeepsTheRestOfTheContext() {
    Context parent =
        Context.root().withTrace(TraceContext.newTrace(false)).withCorrelationId("order-7");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      Context hop = tracing.startSpan("hop", SpanKind.INTERNAL, parent).context();
      assertThat(hop.correlationId()).isEqualTo("order-7");
      ids.add(hop.trace().spanId());
    }
    assertThat(ids).hasSize(1_000).doesNotContain(parent.trace().spanId());
  }

  @Test
  void aRootSpanInventsNoTrace() {
    assertThat(tracing.startSpan("root", SpanKind.SERVER, Context.root()).context().trace())
        .isNull();
    assertThat(tracing.mayRecord(Context.root())).isFalse();
  }

  @Test
  void aLinkedSpanIsStillAChildOfItsParent() {
    TraceContext parent = TraceContext.newTrace(true);
    TraceContext producer = TraceContext.newTrace(true);
    TelemetrySpan span =
        tracing.startSpan("process", SpanKind.CONSUMER, Context.root().withTrace(parent), producer);
    assertThat(span.context().trace().traceId()).isEqualTo(parent.traceId());
    assertThatThrownBy(() -> tracing.startSpan("x", SpanKind.CONSUMER, Context.root(), nullTrace()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("linked");
  }

  @Test
  void inSpanRunsTheWorkUnderTheChildContextAndRethrows() throws Exception {
    TraceContext parent = TraceContext.newTrace(true);
    TraceContext seen =
        Context.root()
            .withTrace(parent)
            .call(() -> tracing.inSpan("work", () -> Context.current().trace()));
    assertThat(seen.traceId()).isEqualTo(parent.traceId());
    assertThat(seen.spanId()).isNotEqualTo(parent.spanId());

    IOException failure = new IOException("disk");
    assertThatThrownBy(
            () ->
                tracing.inSpan(
                    "work",
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(tracing.openSpans()).isZero();
  }

  @Test
  void hopSpansOfDisabledTracingRecordNothingButChainIds() {
    Context incoming = Context.root().withTrace(TraceContext.newTrace(true));
    TelemetrySpan server = HopSpans.server(tracing, incoming, "GET", "/orders/{id}", "/orders/7");
    TelemetrySpan client = HopSpans.client(tracing, server.context(), "GET", "127.0.0.1", 80, 1);
    HopSpans.clientDone(client, 503, null);
    HopSpans.serverDone(server, 503);

    assertThat(server.isRecording()).isFalse();
    assertThat(client.context().trace().traceId()).isEqualTo(incoming.trace().traceId());
    assertThat(client.context().trace().spanId())
        .isNotEqualTo(server.context().trace().spanId())
        .isNotEqualTo(incoming.trace().spanId());
  }

  @Test
  void noopTelemetryRecordsNothingAndNeverThrowsOnRecording() {
    Telemetry telemetry = Telemetry.noop();
    RedRecorder red = telemetry.dependency("payments");
    red.record(Outcome.TIMEOUT, -5);
    red.success(1);
    red.failure(1);
    telemetry.decisions().retry("retry", 2, Duration.ofMillis(50), null);
    telemetry.decisions().circuitTransition("cb", "closed", "open", "failure rate 60%");
    telemetry.decisions().shed("limiter", "limit");
    telemetry.decisions().faultInjected("chaos", "latency");
    telemetry.decisions().record("x", "y", "z");

    assertThat(red.name()).isEqualTo("payments");
    assertThat(telemetry.endpoint("GET /orders").name()).isEqualTo("GET /orders");
    assertThat(telemetry.tracing()).isSameAs(Tracing.disabled());
    assertThat(telemetry.decisions()).isSameAs(Decisions.noop());
    assertThat(telemetry.scrape()).isEmpty();
  }

  @Test
  void namesAreCheckedEvenWhenNothingIsRecorded() {
    Telemetry telemetry = Telemetry.noop();
    assertThatThrownBy(() -> telemetry.endpoint(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpoint name must be 1 to 128 characters, was \"\"");
    assertThatThrownBy(() -> telemetry.dependency("a".repeat(129)))
        .hasMessageStartingWith("dependency name must be 1 to 128 characters");
    assertThatThrownBy(() -> telemetry.dependency("pay\nments"))
        .hasMessage("dependency name must not contain control characters, was \"pay\nments\"");
    assertThat(telemetry.dependency("a".repeat(128)).name()).hasSize(128);
  }

  @Test
  void noneRunsUnderTheRootContextAndSampledOutUnderTheGivenOne() {
    Context given = Context.root().withTrace(TraceContext.newTrace(true));
    assertThat(TelemetrySpan.none().context()).isEqualTo(Context.root());
    assertThat(TelemetrySpan.sampledOut(given).context()).isSameAs(given);
    assertThat(TelemetrySpan.sampledOut(given).isRecording()).isFalse();
  }

  @Test
  void aSampledOutSpanMakesItsContextOnlyWhenAskedAndThenAlwaysTheSameOne() {
    Context parent =
        Context.root()
            .withCorrelationId("corr-1")
            .withCriticality(io.bulwark.core.context.Criticality.SHEDDABLE);
    TraceContext own = TraceContext.newTrace(false);
    TelemetrySpan span = TelemetrySpan.sampledOut(parent, own);

    assertThat(span.trace()).isSameAs(own);
    Context c = span.context();
    assertThat(c).isSameAs(span.context());
    assertThat(c.trace()).isSameAs(own);
    assertThat(c.correlationId()).isEqualTo("corr-1");
    assertThat(c.criticality()).isEqualTo(io.bulwark.core.context.Criticality.SHEDDABLE);
    assertThat(span.isRecording()).isFalse();

    TelemetrySpan untraced = TelemetrySpan.sampledOut(parent, null);
    assertThat(untraced.trace()).isNull();
    assertThat(untraced.context()).isSameAs(parent);
  }

  @Test
  void disabledTracingGivesEachSpanItsOwnIdWhetherOrNotItsContextIsMade() {
    TraceContext caller = TraceContext.newTrace(true);
    Context parent = Context.root().withTrace(caller);
    TelemetrySpan a = Tracing.disabled().startSpan("a", SpanKind.SERVER, parent);
    TelemetrySpan b = Tracing.disabled().startSpan("b", SpanKind.CLIENT, parent);

    assertThat(a.trace()).isEqualTo(a.context().trace());
    assertThat(List.of(a.trace().traceId(), b.trace().traceId())).containsOnly(caller.traceId());
    assertThat(List.of(caller.spanId(), a.trace().spanId(), b.trace().spanId()))
        .doesNotHaveDuplicates();
    assertThat(a.trace().flags()).isEqualTo(caller.flags());
    assertThat(Tracing.disabled().startSpan("root", SpanKind.SERVER, Context.root()).trace())
        .isNull();
  }

  @Test
  void aCorrelationIdAndTraceSetTogetherAreCheckedAndKeepTheRest() {
    TraceContext caller = TraceContext.newTrace(true);
    TraceContext own = caller.newChildSpan();
    Context base = Context.root().withTrace(caller).withBaggage("k", "v");

    Context both = base.withCorrelationIdAndTrace("id-1", own);
    assertThat(both.trace()).isSameAs(own);
    assertThat(both.correlationId()).isEqualTo("id-1");
    assertThat(both.baggage().asMap()).containsEntry("k", "v");
    assertThat(base.withCorrelationIdAndTrace("id-2", null).trace()).isSameAs(caller);
    assertThatThrownBy(() -> base.withCorrelationIdAndTrace("has space", own))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("correlation id must be 1 to 128 visible ASCII characters");
  }

  @SuppressWarnings("NullAway")
  private static TraceContext nullTrace() {
    return null;
  }
}
