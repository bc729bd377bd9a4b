package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.RawHttp;
import io.bulwark.http.Response;
import io.bulwark.http.ServerListener;
import io.bulwark.http.client.OtlpCollector.ReceivedSpan;
import io.bulwark.resilience.RetryConfig;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every HTTP hop is a span with W3C parent/child semantics: a server span per request, a client
 * span per attempt whose id is what goes downstream; with an OTLP exporter the spans reach a
 * collector as one trace, and without any telemetry the ids on the wire are still fresh per hop.
 */
class HopSpansTest {
  private final Loopback net = new Loopback();
  private final List<BulwarkTelemetry> telemetries = new ArrayList<>();

  /** Counted down by each server's listener, which runs after the request's span ended. */
  private final CountDownLatch finished = new CountDownLatch(3);

  private final ServerListener countFinished =
      new ServerListener() {
        @Override
        public void onRequest(AccessLogEntry entry) {
          finished.countDown();
        }
      };

  private OtlpCollector collector;

  @BeforeEach
  void startCollector() throws Exception {
    collector = new OtlpCollector(net.vertx);
  }

  @AfterEach
  void close() {
    // telemetry first: its shutdown exports a last time to the collector, still listening
    telemetries.forEach(BulwarkTelemetry::close);
    collector.close();
    net.close();
  }

  private BulwarkTelemetry telemetry(String service) {
    BulwarkTelemetry t =
        BulwarkTelemetry.builder().serviceName(service).otlpEndpoint(collector.endpoint()).build();
    telemetries.add(t);
    return t;
  }

  @Test
  void threeHopCallExportedOverOtlpFormsOneTraceWithTheExpectedTree() throws Exception {
    BulwarkTelemetry a = telemetry("svc-a");
    BulwarkTelemetry b = telemetry("svc-b");
    BulwarkTelemetry c = telemetry("svc-c");
    BulwarkServer serverC =
        net.server(
            s ->
                s.telemetry(c)
                    .listener(countFinished)
                    .get("/stock/{sku}", r -> Response.json(Map.of("sku", r.pathParam("sku")))));
    net.publish("c", serverC);
    HttpClients clientsB = net.clients(x -> x.telemetry(b).client("c", config("c")));
    BulwarkServer serverB =
        net.server(
            s ->
                s.telemetry(b)
                    .listener(countFinished)
                    .get(
                        "/price/{sku}",
                        r ->
                            Response.json(
                                clientsB
                                    .client("c")
                                    .get("/stock/" + r.pathParam("sku"))
                                    .json(Map.class))));
    net.publish("b", serverB);
    HttpClients clientsA = net.clients(x -> x.telemetry(a).client("b", config("b")));
    BulwarkServer serverA =
        net.server(
            s ->
                s.telemetry(a)
                    .listener(countFinished)
                    .get(
                        "/orders/{id}",
                        r -> Response.json(clientsA.client("b").get("/price/42").json(Map.class))));

    RawHttp.Reply reply = RawHttp.get(serverA.port(), "/orders/7");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).contains("42");
    assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
    for (BulwarkTelemetry t : telemetries) {
      t.flush(10_000);
    }

    List<ReceivedSpan> spans = collector.spans;
    assertThat(collector.contentTypes).allMatch(t -> t.startsWith("application/x-protobuf"));
    assertThat(spans).hasSize(5);
    assertThat(spans.stream().map(ReceivedSpan::traceId).distinct()).hasSize(1);
    assertThat(spans.stream().map(ReceivedSpan::spanId).distinct()).hasSize(5);

    ReceivedSpan aServer = only(spans, "svc-a", OtlpCollector.SERVER);
    ReceivedSpan aClient = only(spans, "svc-a", OtlpCollector.CLIENT);
    ReceivedSpan bServer = only(spans, "svc-b", OtlpCollector.SERVER);
    ReceivedSpan bClient = only(spans, "svc-b", OtlpCollector.CLIENT);
    ReceivedSpan cServer = only(spans, "svc-c", OtlpCollector.SERVER);
    assertThat(aServer.parentSpanId()).isEmpty();
    assertThat(aClient.parentSpanId()).isEqualTo(aServer.spanId());
    assertThat(bServer.parentSpanId()).isEqualTo(aClient.spanId());
    assertThat(bClient.parentSpanId()).isEqualTo(bServer.spanId());
    assertThat(cServer.parentSpanId()).isEqualTo(bClient.spanId());

    assertThat(aServer.name()).isEqualTo("GET /orders/{id}");
    assertThat(aServer.attributes())
        .containsEntry("http.request.method", "GET")
        .containsEntry("http.route", "/orders/{id}")
        .containsEntry("url.path", "/orders/7")
        .containsEntry("http.response.status_code", 200L);
    assertThat(cServer.attributes())
        .containsEntry("http.route", "/stock/{sku}")
        .containsEntry("url.path", "/stock/42");
    assertThat(aClient.name()).isEqualTo("GET");
    assertThat(aClient.attributes())
        .containsEntry("http.request.method", "GET")
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("server.port", (long) serverB.port())
        .containsEntry("http.response.status_code", 200L)
        .doesNotContainKey("http.request.resend_count");
    assertThat(bClient.attributes()).containsEntry("server.port", (long) serverC.port());
  }

  @Test
  void everyRetryIsItsOwnClientSpanAndTheServerSeesEachAttemptAsItsParent() throws Exception {
    BulwarkTelemetry a = telemetry("svc-a");
    BulwarkTelemetry b = telemetry("svc-b");
    AtomicInteger calls = new AtomicInteger();
    List<String> receivedTraceparents = new CopyOnWriteArrayList<>();
    BulwarkServer serverB =
        net.server(
            s ->
                s.telemetry(b)
                    .listener(countFinished)
                    .get(
                        "/flaky",
                        r -> {
                          receivedTraceparents.add(Objects.requireNonNull(r.header("traceparent")));
                          if (calls.incrementAndGet() < 3) {
                            throw HttpProblem.of(503, "busy", "try again");
                          }
                          return Response.json(Map.of("ok", true));
                        }));
    net.publish("b", serverB);
    RetryConfig retry =
        RetryConfig.builder().maxAttempts(3).fixedDelay(Duration.ofMillis(1)).build();
    HttpClients clients =
        net.clients(
            x -> x.telemetry(a).client("b", ClientConfig.builder("b").retry(retry).build()));

    TraceContext caller = TraceContext.newTrace(true);
    ClientResponse response =
        Context.root().withTrace(caller).call(() -> clients.client("b").get("/flaky"));
    assertThat(response.status()).isEqualTo(200);
    assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
    a.flush(10_000);
    b.flush(10_000);

    List<ReceivedSpan> attempts =
        collector.spans.stream()
            .filter(s -> s.kind() == OtlpCollector.CLIENT)
            .sorted(
                java.util.Comparator.comparingLong(
                    s -> (long) s.attributes().getOrDefault("http.request.resend_count", 0L)))
            .toList();
    assertThat(attempts).hasSize(3);
    assertThat(attempts).allMatch(s -> s.parentSpanId().equals(caller.spanId()));
    assertThat(attempts).allMatch(s -> s.traceId().equals(caller.traceId()));
    assertThat(attempts.get(0).attributes()).doesNotContainKey("http.request.resend_count");
    assertThat(attempts.get(1).attributes()).containsEntry("http.request.resend_count", 1L);
    assertThat(attempts.get(2).attributes()).containsEntry("http.request.resend_count", 2L);
    assertThat(attempts.get(0).attributes()).containsEntry("http.response.status_code", 503L);
    assertThat(attempts.get(2).attributes()).containsEntry("http.response.status_code", 200L);

    // what went downstream is each attempt's own span id, and each server span is its child
    List<String> sentSpanIds =
        receivedTraceparents.stream().map(tp -> tp.split("-", -1)[2]).toList();
    assertThat(sentSpanIds)
        .containsExactlyElementsOf(attempts.stream().map(ReceivedSpan::spanId).toList());
    Map<String, String> serverParents =
        collector.spans.stream()
            .filter(s -> s.kind() == OtlpCollector.SERVER)
            .collect(Collectors.toMap(ReceivedSpan::parentSpanId, ReceivedSpan::spanId));
    assertThat(serverParents.keySet()).containsExactlyInAnyOrderElementsOf(sentSpanIds);
  }

  @Test
  void withoutTelemetryEachHopStillSendsAFreshSpanIdOfTheSameTrace() throws Exception {
    List<TraceContext> seenByB = new CopyOnWriteArrayList<>();
    List<String> receivedByB = new CopyOnWriteArrayList<>();
    BulwarkServer serverB =
        net.server(
            s ->
                s.listener(ServerListener.none())
                    .get(
                        "/b",
                        r -> {
                          receivedByB.add(Objects.requireNonNull(r.header("traceparent")));
                          seenByB.add(Objects.requireNonNull(Context.current().trace()));
                          return Response.json(Map.of());
                        }));
    net.publish("b", serverB);
    HttpClients clients = net.clients(x -> x.client("b", config("b")));
    List<TraceContext> seenByA = new CopyOnWriteArrayList<>();
    BulwarkServer serverA =
        net.server(
            s ->
                s.listener(ServerListener.none())
                    .get(
                        "/a",
                        r -> {
                          seenByA.add(Objects.requireNonNull(Context.current().trace()));
                          return Response.json(clients.client("b").get("/b").json(Map.class));
                        }));
    TraceContext incoming = TraceContext.newTrace(true);

    RawHttp.Reply reply =
        RawHttp.get(serverA.port(), "/a", "traceparent: " + incoming.toTraceparent());

    assertThat(reply.status()).isEqualTo(200);
    TraceContext a = seenByA.get(0);
    TraceContext b = seenByB.get(0);
    String sentByA = receivedByB.get(0).split("-", -1)[2];
    assertThat(List.of(a.traceId(), b.traceId())).containsOnly(incoming.traceId());
    assertThat(List.of(incoming.spanId(), a.spanId(), sentByA, b.spanId())).doesNotHaveDuplicates();
    assertThat(receivedByB.get(0)).endsWith("-01");
  }

  private static ClientConfig config(String service) {
    return ClientConfig.builder(service).build();
  }

  private static ReceivedSpan only(List<ReceivedSpan> spans, String service, int kind) {
    Function<ReceivedSpan, Boolean> match = s -> s.service().equals(service) && s.kind() == kind;
    List<ReceivedSpan> found = spans.stream().filter(match::apply).toList();
    assertThat(found).as("%s spans of kind %s in %s", service, kind, spans).hasSize(1);
    return found.get(0);
  }
}
