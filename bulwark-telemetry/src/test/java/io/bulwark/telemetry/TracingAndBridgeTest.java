package io.bulwark.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Baggage;
import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.HopSpans;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.test.VirtualClock;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TracingAndBridgeTest {
  final List<SpanData> exported = new CopyOnWriteArrayList<>();
  final VirtualClock clock = new VirtualClock();
  final BulwarkTelemetry telemetry =
      BulwarkTelemetry.builder()
          .clock(clock)
          .addSpanProcessor(SimpleSpanProcessor.create(new Collecting()))
          .build();

  final class Collecting implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      exported.addAll(spans);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  @AfterEach
  void close() {
    telemetry.close();
  }

  @Test
  void bridgeRoundTripsTraceIdsFlagsAndBaggage() {
    TraceContext trace = TraceContext.newTrace(true);
    Context ours =
        Context.root()
            .withTrace(trace)
            .withBaggage(Baggage.empty().with("cohort", "canary").with("tenant", "t1"))
            .withCorrelationId("req-1");
    io.opentelemetry.context.Context otel = ContextBridge.toOtel(ours);
    assertThat(Span.fromContext(otel).getSpanContext().getTraceId()).isEqualTo(trace.traceId());
    assertThat(Span.fromContext(otel).getSpanContext().getSpanId()).isEqualTo(trace.spanId());
    assertThat(Span.fromContext(otel).getSpanContext().isSampled()).isTrue();
    assertThat(io.opentelemetry.api.baggage.Baggage.fromContext(otel).getEntryValue("cohort"))
        .isEqualTo("canary");

    Context back = ContextBridge.fromOtel(otel, Context.root().withCorrelationId("req-1"));
    assertThat(back.trace()).isEqualTo(trace);
    assertThat(back.baggage().asMap())
        .containsExactly(
            java.util.Map.entry("cohort", "canary"), java.util.Map.entry("tenant", "t1"));
    assertThat(back.correlationId()).isEqualTo("req-1");
    // nothing was made current in OTel's thread-local storage
    assertThat(Span.current().getSpanContext().isValid()).isFalse();
  }

  @Test
  void spansFollowTheScopedContextAcrossAVirtualThreadHopWithoutThreadLocals() throws Exception {
    java.util.concurrent.atomic.AtomicReference<@org.jspecify.annotations.Nullable TraceContext>
        seenInChild = new java.util.concurrent.atomic.AtomicReference<>();
    boolean[] otelCurrentValidInChild = new boolean[1];
    String result =
        telemetry
            .tracing()
            .inSpan(
                "checkout",
                () -> {
                  clock.advance(Duration.ofMillis(5));
                  Thread child =
                      Context.startVirtualThread(
                          () -> {
                            seenInChild.set(Context.current().trace());
                            otelCurrentValidInChild[0] = Span.current().getSpanContext().isValid();
                            telemetry
                                .decisions()
                                .retry(
                                    "payments-retry",
                                    2,
                                    Duration.ofMillis(200),
                                    new IllegalStateException("503"));
                          });
                  child.join(TimeUnit.SECONDS.toMillis(10));
                  return java.util.Objects.requireNonNull(Context.current().trace()).spanId();
                });
    assertThat(exported).hasSize(1);
    SpanData span = exported.get(0);
    assertThat(span.getName()).isEqualTo("checkout");
    assertThat(span.getSpanId()).isEqualTo(result);
    assertThat(java.util.Objects.requireNonNull(seenInChild.get()).spanId())
        .isEqualTo(span.getSpanId());
    assertThat(java.util.Objects.requireNonNull(seenInChild.get()).traceId())
        .isEqualTo(span.getTraceId());
    assertThat(otelCurrentValidInChild[0]).isFalse();
    assertThat(span.getEndEpochNanos() - span.getStartEpochNanos()).isEqualTo(5_000_000);
    EventData event = span.getEvents().get(0);
    assertThat(event.getName()).isEqualTo(Decisions.EVENT_NAME);
    assertThat(event.getAttributes().asMap().toString())
        .contains(
            "bulwark.decision=retry",
            "bulwark.retry.attempt=2",
            "bulwark.retry.backoff_ms=200",
            "IllegalStateException");
    assertThat(telemetry.tracing().openSpans()).isZero();
    assertThat(Context.current().trace()).isNull();
  }

  @Test
  void childOfARemoteParentKeepsTheTraceIdAndPointsAtTheParent() {
    TraceContext remote = TraceContext.newTrace(true);
    try (TelemetrySpan span =
        telemetry
            .tracing()
            .startSpan("GET /cart", SpanKind.SERVER, Context.root().withTrace(remote))) {
      assertThat(span.isRecording()).isTrue();
      assertThat(java.util.Objects.requireNonNull(span.context().trace()).traceId())
          .isEqualTo(remote.traceId());
      assertThat(java.util.Objects.requireNonNull(span.context().trace()).spanId())
          .isNotEqualTo(remote.spanId());
    }
    assertThat(exported.get(0).getParentSpanId()).isEqualTo(remote.spanId());
    assertThat(exported.get(0).getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.SERVER);
  }

  @Test
  void sampledOutParentYieldsANonRecordingChildWithAFreshSpanIdOfTheSameTrace() {
    TraceContext parentTrace = TraceContext.newTrace(false);
    Context parent = Context.root().withTrace(parentTrace).withCorrelationId("req-9");
    TelemetrySpan span = telemetry.tracing().startSpan("x", SpanKind.CLIENT, parent);
    assertThat(span.isRecording()).isFalse();
    TraceContext child = java.util.Objects.requireNonNull(span.context().trace());
    assertThat(child.traceId()).isEqualTo(parentTrace.traceId());
    assertThat(child.spanId()).isNotEqualTo(parentTrace.spanId());
    assertThat(child.flags()).isEqualTo(parentTrace.flags());
    assertThat(span.context().correlationId()).isEqualTo("req-9");
    span.event("ignored");
    span.end();
    parent.run(() -> telemetry.decisions().shed("limiter", "limit 10 reached"));
    assertThat(exported).isEmpty();
    assertThat(telemetry.scrapePrometheus()).contains("decision=\"shed\"");
  }

  @Test
  void failedWorkMarksTheSpanFailed() {
    try {
      telemetry
          .tracing()
          .inSpan(
              "boom",
              () -> {
                throw new IllegalStateException("nope");
              });
    } catch (Exception expected) {
      assertThat(expected).hasMessage("nope");
    }
    assertThat(exported.get(0).getStatus().getStatusCode())
        .isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
  }

  @Test
  void everyDecisionKindExplainsItselfOnTheSpanAndInTheCounter() throws Exception {
    Context request = Context.root().withCriticality(io.bulwark.core.context.Criticality.SHEDDABLE);
    request.call(
        () ->
            telemetry
                .tracing()
                .inSpan(
                    "checkout",
                    () -> {
                      telemetry
                          .decisions()
                          .circuitTransition(
                              "payments-cb", "closed", "open", "failure rate 60% >= 50%");
                      telemetry.decisions().shed("orders-limiter", "limit 32 reached");
                      telemetry.decisions().faultInjected("game-day-1", "latency 2s");
                      return null;
                    }));
    List<EventData> events = exported.get(0).getEvents();
    assertThat(events).extracting(EventData::getName).containsOnly(Decisions.EVENT_NAME);
    assertThat(events.get(0).getAttributes().asMap().toString())
        .contains(
            "bulwark.component=payments-cb",
            "bulwark.decision=circuit_open",
            "bulwark.reason=failure rate 60% >= 50%",
            "bulwark.circuit.from=closed");
    assertThat(events.get(1).getAttributes().asMap().toString())
        .contains("bulwark.decision=shed", "bulwark.criticality=SHEDDABLE", "limit 32 reached");
    assertThat(events.get(2).getAttributes().asMap().toString())
        .contains("bulwark.component=game-day-1", "bulwark.decision=fault_injected", "latency 2s");
    String text = telemetry.scrapePrometheus();
    assertThat(text)
        .contains("component=\"payments-cb\",decision=\"circuit_open\"")
        .contains("component=\"orders-limiter\",decision=\"shed\"");
  }

  @Test
  void disabledTracingGivesEveryHopAFreshSpanIdButInventsNoTrace() {
    TraceContext parentTrace = TraceContext.newTrace(true);
    Context parent = Context.root().withTrace(parentTrace);
    java.util.Set<String> spanIds = new java.util.HashSet<>();
    spanIds.add(parentTrace.spanId());
    Context hop = parent;
    for (int i = 0; i < 100; i++) {
      TelemetrySpan span = Tracing.disabled().startSpan("hop", SpanKind.CLIENT, hop);
      assertThat(span.isRecording()).isFalse();
      hop = span.context();
      TraceContext trace = java.util.Objects.requireNonNull(hop.trace());
      assertThat(trace.traceId()).isEqualTo(parentTrace.traceId());
      assertThat(trace.isSampled()).isTrue();
      assertThat(spanIds.add(trace.spanId())).as("span id %s is fresh", trace.spanId()).isTrue();
    }
    assertThat(Tracing.disabled().startSpan("root", SpanKind.SERVER, Context.root()).context())
        .isSameAs(Context.root());
    assertThat(
            BulwarkTelemetry.noop()
                .tracing()
                .startSpan("x", SpanKind.SERVER, parent)
                .context()
                .trace())
        .isNotEqualTo(parentTrace);
  }

  @Test
  void consumerSpanIsAChildOfTheProducerSpanAndLinksToIt() {
    TraceContext producer;
    try (TelemetrySpan send =
        HopSpans.producer(telemetry.tracing(), Context.root().withCorrelationId("o-1"), "orders")) {
      producer = java.util.Objects.requireNonNull(send.context().trace());
      HopSpans.producerDone(send, 2, 41, null);
    }
    Context sent = Context.root().withTrace(producer).withCorrelationId("o-1");
    TelemetrySpan consume = HopSpans.consumer(telemetry.tracing(), sent, "orders", 2, 41);
    assertThat(consume.context().correlationId()).isEqualTo("o-1");
    HopSpans.consumerDone(consume, null);

    assertThat(exported).hasSize(2);
    SpanData send = exported.get(0);
    SpanData process = exported.get(1);
    assertThat(send.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.PRODUCER);
    assertThat(send.getName()).isEqualTo("send orders");
    assertThat(send.getAttributes().asMap().toString())
        .contains("messaging.destination.name=orders", "messaging.destination.partition.id=2");
    assertThat(process.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo(producer.traceId());
    assertThat(process.getParentSpanId()).isEqualTo(producer.spanId());
    assertThat(process.getLinks()).hasSize(1);
    assertThat(process.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo(producer.spanId());
    assertThat(process.getLinks().get(0).getSpanContext().getTraceId())
        .isEqualTo(producer.traceId());
  }

  @Test
  void serverAndClientSpansCarryTheirHttpAttributesAndFailOnServerErrors() {
    TelemetrySpan server =
        HopSpans.server(telemetry.tracing(), Context.root(), "POST", "/orders", "/orders");
    TelemetrySpan client =
        HopSpans.client(telemetry.tracing(), server.context(), "GET", "stock.local", 8080, 2);
    HopSpans.clientDone(client, 404, null);
    HopSpans.serverDone(server, 503);
    SpanData c = exported.get(0);
    SpanData s = exported.get(1);
    assertThat(c.getParentSpanId()).isEqualTo(s.getSpanId());
    assertThat(c.getAttributes().asMap().toString())
        .contains(
            "server.address=stock.local",
            "server.port=8080",
            "http.request.resend_count=2",
            "http.response.status_code=404");
    assertThat(c.getStatus().getStatusCode())
        .isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(s.getName()).isEqualTo("POST /orders");
    assertThat(s.getStatus().getStatusCode())
        .isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(s.getAttributes().asMap().toString()).contains("http.response.status_code=503");
  }
}
