package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The context a handler runs under, as the server builds it from the caller's headers in one step
 * with the request's server span: the caller's trace id, flags and trace state, a span id of the
 * server span's own (recorded or not), and the caller's correlation id or a new one, the same one
 * the answer echoes. Tried with every sampling outcome, without telemetry, and with headers a
 * caller should not be trusted with.
 */
class ServerTraceContextTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";

  private final List<BulwarkServer> servers = new CopyOnWriteArrayList<>();
  private final List<BulwarkTelemetry> telemetries = new CopyOnWriteArrayList<>();
  private final List<SpanData> exported = new CopyOnWriteArrayList<>();
  private final List<Context> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(BulwarkServer::shutdown);
    telemetries.forEach(BulwarkTelemetry::close);
  }

  private BulwarkServer server(double samplingRatio) {
    BulwarkTelemetry telemetry =
        BulwarkTelemetry.builder()
            .serviceName("trace-context")
            .samplingRatio(samplingRatio)
            .addSpanExporter(new Collecting())
            .build();
    telemetries.add(telemetry);
    return start(BulwarkServer.builder().telemetry(telemetry));
  }

  private BulwarkServer start(BulwarkServer.Builder builder) {
    BulwarkServer s =
        builder
            .eventLoops(1)
            .get("/ctx", r -> answer())
            .routeNonBlocking("GET", "/inline", r -> answer())
            .build()
            .start();
    servers.add(s);
    return s;
  }

  private Response answer() {
    Context c = Context.current();
    seen.add(c);
    return Response.json(Map.of("correlationId", String.valueOf(c.correlationId())));
  }

  /**
   * The spans exported once the servers have shut down (a server ends a request's span just after
   * writing its answer; shutdown waits for that) and the telemetry closed (close exports what is
   * queued).
   */
  private List<SpanData> exportedAfterClose() {
    servers.forEach(BulwarkServer::shutdown);
    telemetries.forEach(BulwarkTelemetry::close);
    return exported;
  }

  @Test
  void aSampledCallerGetsARecordedChildSpanWhoseIdTheHandlerSendsOn() throws Exception {
    BulwarkServer s = server(0.0); // the caller's decision wins over the root ratio
    List<String> handlerSpanIds = new java.util.ArrayList<>();
    for (String path : List.of("/ctx", "/inline")) {
      seen.clear();
      RawHttp.Reply r =
          RawHttp.get(
              s.port(),
              path,
              "traceparent: 00-" + TRACE + "-" + CALLER_SPAN + "-01",
              "tracestate: vendor=1");

      assertThat(r.status()).isEqualTo(200);
      TraceContext t = seen.get(0).trace();
      assertThat(t.traceId()).isEqualTo(TRACE);
      assertThat(t.spanId()).isNotEqualTo(CALLER_SPAN).matches("[0-9a-f]{16}");
      assertThat(t.flags()).isEqualTo(1);
      assertThat(t.traceState()).isEqualTo("vendor=1");
      assertGeneratedCorrelationIdIsEchoed(r, seen.get(0));
      handlerSpanIds.add(t.spanId());
    }
    List<SpanData> spans = exportedAfterClose();
    assertThat(spans).hasSize(2);
    Map<String, String> parentBySpan = new HashMap<>();
    spans.forEach(d -> parentBySpan.put(d.getSpanId(), d.getParentSpanId()));
    assertThat(parentBySpan)
        .containsOnlyKeys(handlerSpanIds)
        .containsValues(CALLER_SPAN, CALLER_SPAN);
    assertThat(spans).allSatisfy(d -> assertThat(d.getTraceId()).isEqualTo(TRACE));
  }

  @Test
  void aCallerThatIsNotSampledStillGetsAFreshSpanIdAndKeepsItsFlagsAndState() throws Exception {
    BulwarkServer s = server(1.0);
    for (String path : List.of("/ctx", "/inline")) {
      seen.clear();
      RawHttp.Reply r =
          RawHttp.get(
              s.port(),
              path,
              "traceparent: 00-" + TRACE + "-" + CALLER_SPAN + "-02",
              "tracestate: vendor=2,other=x",
              "bulwark-correlation-id: given-1");

      assertThat(r.status()).isEqualTo(200);
      TraceContext t = seen.get(0).trace();
      assertThat(t.toTraceparent()).startsWith("00-" + TRACE + "-").endsWith("-02");
      assertThat(t.spanId()).isNotEqualTo(CALLER_SPAN);
      assertThat(t.traceState()).isEqualTo("vendor=2,other=x");
      assertThat(seen.get(0).correlationId()).isEqualTo("given-1");
      assertThat(r.header("bulwark-correlation-id")).isEqualTo("given-1");
    }
    assertThat(exportedAfterClose()).isEmpty();
  }

  @Test
  void aRequestWithoutTraceStartsOneWhetherItsRootIsSampledOrNot() throws Exception {
    for (double ratio : new double[] {0.0, 1.0}) {
      seen.clear();
      RawHttp.Reply r = RawHttp.get(server(ratio).port(), "/ctx");

      assertThat(r.status()).isEqualTo(200);
      TraceContext t = seen.get(0).trace();
      assertThat(t.toTraceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0" + (int) ratio);
      assertGeneratedCorrelationIdIsEchoed(r, seen.get(0));
    }
    List<SpanData> spans = exportedAfterClose();
    assertThat(spans).hasSize(1);
    assertThat(spans.get(0).getSpanId()).isEqualTo(seen.get(0).trace().spanId());
    assertThat(spans.get(0).getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void withoutTelemetryTheCallersTraceGetsANewSpanIdAndNoTraceIsInvented() throws Exception {
    BulwarkServer s = start(BulwarkServer.builder().listener(ServerListener.none()));
    RawHttp.Reply traced =
        RawHttp.get(s.port(), "/ctx", "traceparent: 00-" + TRACE + "-" + CALLER_SPAN + "-01");
    RawHttp.Reply untraced = RawHttp.get(s.port(), "/inline");

    TraceContext t = seen.get(0).trace();
    assertThat(t.traceId()).isEqualTo(TRACE);
    assertThat(t.spanId()).isNotEqualTo(CALLER_SPAN);
    assertGeneratedCorrelationIdIsEchoed(traced, seen.get(0));
    assertThat(seen.get(1).trace()).isNull();
    assertGeneratedCorrelationIdIsEchoed(untraced, seen.get(1));
  }

  @Test
  void aHostileTraceparentIsRefusedBeforeAnyHandlerWithACorrelationId() throws Exception {
    BulwarkServer s = server(1.0);
    for (String value :
        List.of(
            "00-" + TRACE.toUpperCase(java.util.Locale.ROOT) + "-" + CALLER_SPAN + "-01",
            "00-" + "0".repeat(32) + "-" + CALLER_SPAN + "-01",
            "00-" + TRACE + "-" + "0".repeat(16) + "-01",
            "00-" + TRACE + "-" + CALLER_SPAN.replace('0', ' ') + "-01",
            "ff-" + TRACE + "-" + CALLER_SPAN + "-01")) {
      RawHttp.Reply r = RawHttp.get(s.port(), "/ctx", "traceparent: " + value);

      assertThat(r.status()).as(value).isEqualTo(400);
      assertThat(r.body()).contains("malformed_header").contains("traceparent");
      String id = r.header("bulwark-correlation-id");
      assertThat(id).matches("[0-9a-f]{16}");
      assertThat(r.body()).contains("\"correlationId\":\"" + id + "\"");
    }
    assertThat(seen).isEmpty();
    assertThat(exportedAfterClose()).isEmpty();
  }

  private static void assertGeneratedCorrelationIdIsEchoed(RawHttp.Reply r, Context handler) {
    String id = r.header("bulwark-correlation-id");
    assertThat(id).matches("[0-9a-f]{16}").isEqualTo(handler.correlationId());
    assertThat(r.body()).contains("\"correlationId\":\"" + id + "\"");
  }

  private final class Collecting implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      exported.addAll(batch);
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
}
