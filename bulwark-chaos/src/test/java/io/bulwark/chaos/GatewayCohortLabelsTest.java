package io.bulwark.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.cohort.LabelTelemetry;
import io.bulwark.chaos.cohort.LogCapture;
import io.bulwark.core.fault.ChaosCohort;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.Gateway;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own telemetry carries the chaos cohort, as bulwark-http's server and client do:
 * over real loopback (a real gateway in front of a real Bulwark server), the route's RED, the
 * cluster's RED and the gateway's server and upstream-attempt spans are labelled with the request's
 * cohort while a fault is active, and with nothing once none is.
 */
class GatewayCohortLabelsTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Vertx vertx;
  private BulwarkServer upstream;
  private Gateway gateway;
  private LabelTelemetry labels;
  private Chaos chaos;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    upstream =
        PricesGateway.upstream(vertx).get("/quote", r -> Response.text(200, "42")).build().start();
    GatewayConfig config =
        PricesGateway.config(
            upstream.port(),
            "",
            """
            quote:
              match: {path-prefix: /quote}
              cluster: prices
              timeout: 5s
            locked:
              match: {path-prefix: /locked}
              cluster: prices
              timeout: 5s
              jwt:
                issuer: https://issuer.test
                audiences: [prices]
                jwks-url: http://127.0.0.1:%d/jwks
                refresh-min-interval: 1ms
            """
                .formatted(closedPort()));
    labels = new LabelTelemetry();
    gateway = Gateway.builder(config).vertx(vertx).telemetry(labels).start();
    chaos =
        Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(Scheduler.system()).build();
    assertThat(get(null).statusCode()).isEqualTo(200); // warm up, before any fault
    awaitRecorded(1, 1);
  }

  /** A loopback port nothing listens on (the JWKS endpoint of the locked route). */
  private static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @AfterEach
  void stop() throws Exception {
    chaos.close();
    gateway.close();
    upstream.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    labels.close();
  }

  private HttpResponse<String> get(String experiment) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + "/quote"));
    if (experiment != null) {
      b.header("baggage", "chaos.experiment=" + experiment);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A 503 at the gateway's upstream calls to prices, for experiment {@code exp-g}'s cohort only.
   */
  private ActiveFault startCohortFault() {
    return chaos.start(
        FaultSpec.of(
                new Fault.HttpError(503),
                BlastRadius.builder()
                    .points(FaultPointKind.GATEWAY_UPSTREAM)
                    .service("prices")
                    .cohort("exp-g")
                    .build(),
                Duration.ofMinutes(5))
            .inExperiment("exp-g"));
  }

  /** A token for the locked route: well formed, RS256, a key id the gateway has to fetch. */
  private static final String TOKEN =
      b64("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}")
          + "."
          + b64("{\"iss\":\"https://issuer.test\",\"aud\":\"prices\",\"exp\":4102444800}")
          + "."
          + b64("not-a-signature");

  private static String b64(String text) {
    return java.util.Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private HttpResponse<String> locked(String experiment) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + "/locked"))
            .header("authorization", "Bearer " + TOKEN);
    if (experiment != null) {
      b.header("baggage", "chaos.experiment=" + experiment);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * An admission stage's log line of a request (the JWT stage, which cannot fetch the route's keys,
   * logs a warning on the request's virtual thread and refuses it) carries the request's cohort
   * while a fault is active, and none without chaos.
   */
  @Test
  void anAdmissionStagesLogLineCarriesTheRequestsCohortWhileAFaultIsActive() throws Exception {
    LabelTelemetry.assumeLogback();
    String line = "route locked: no JWKS to verify with";
    int before = LogCapture.containing(line).size();
    assertThat(locked("exp-g").statusCode()).isEqualTo(503); // no fault yet: no label
    startCohortFault();
    for (int i = 0; i < 3; i++) {
      assertThat(locked("exp-g").statusCode()).isEqualTo(503);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(locked(null).statusCode()).isEqualTo(503);
    }
    assertThat(locked("hostile-1").statusCode()).isEqualTo(503);
    chaos.clearAll();
    assertThat(locked("exp-g").statusCode()).isEqualTo(503); // cleared: no label again
    // each line is written on the request's virtual thread before its answer: all are here
    java.util.List<String> cohorts =
        LogCapture.containing(line).stream()
            .skip(before)
            .map(l -> String.valueOf(l.cohort()))
            .toList();
    assertThat(cohorts)
        .containsExactly(
            "null", "exp-g", "exp-g", "exp-g", "control", "control", "control", "other", "null");
  }

  /**
   * The gateway's hop spans of {@code kind}; for server spans the routed request's (the span the
   * gateway starts before routing and ends at the match carries no route).
   */
  private java.util.List<io.bulwark.test.RecordingTelemetry.Span> spans(SpanKind kind) {
    return labels.spans.spans(kind).stream()
        .filter(s -> kind != SpanKind.SERVER || s.attributes().containsKey("http.route"))
        .toList();
  }

  /**
   * Waits (bounded) until the gateway recorded {@code n} requests on the route and ended as many
   * server spans: the books of a request close on the event loop just after its answer is written.
   */
  private void awaitRecorded(long n, int serverSpans) {
    long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (labels.total("endpoint", "quote") < n || spans(SpanKind.SERVER).size() < serverSpans) {
      assertThat(System.nanoTime() - giveUp).as("requests recorded").isNegative();
      Thread.onSpinWait();
    }
  }

  /** Span counts of {@code kind} by cohort label ({@code -} for none), from the {@code from}-th. */
  private Map<String, Long> spanCohorts(SpanKind kind, int from) {
    var spans = spans(kind);
    return spans.subList(from, spans.size()).stream()
        .map(s -> s.attributes().getOrDefault(ChaosCohort.SPAN_ATTRIBUTE, "-"))
        .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
  }

  @Test
  void routeAndClusterRedAndHopSpansCarryTheCohortWhileAFaultIsActive() throws Exception {
    ActiveFault f = startCohortFault();
    int servers = spans(SpanKind.SERVER).size();
    int clients = spans(SpanKind.CLIENT).size();
    for (int i = 0; i < 12; i++) {
      assertThat(get("exp-g").statusCode()).isEqualTo(503); // the cohort: faulted
    }
    for (int i = 0; i < 30; i++) {
      assertThat(get(null).statusCode()).isEqualTo(200); // the control: untouched
    }
    for (int i = 0; i < 20; i++) {
      // names no active fault has: one "other" label, however many there are
      assertThat(get("hostile-" + i).statusCode()).isEqualTo(200);
    }

    awaitRecorded(63, servers + 62);
    Map<String, Long> expected = Map.of("exp-g", 12L, "control", 30L, "other", 20L);
    assertThat(labels.cohortCounts("endpoint", "quote")).isEqualTo(expected);
    assertThat(labels.cohortErrors("endpoint", "quote"))
        .isEqualTo(Map.of("exp-g", 12L, "control", 0L, "other", 0L));
    // the cluster's RED counts attempts: each faulted attempt (the route retries a 503) in the
    // cohort, as many as the fault acted on
    long attempts = chaos.injections(f.id());
    assertThat(attempts).isGreaterThanOrEqualTo(12);
    Map<String, Long> perAttempt = Map.of("exp-g", attempts, "control", 30L, "other", 20L);
    assertThat(labels.cohortCounts("dependency", "prices")).isEqualTo(perAttempt);
    assertThat(labels.cohortErrors("dependency", "prices"))
        .isEqualTo(Map.of("exp-g", attempts, "control", 0L, "other", 0L));
    // the ordinary series still count every request (the warm-up too)
    assertThat(labels.total("endpoint", "quote")).isEqualTo(63);
    assertThat(spanCohorts(SpanKind.SERVER, servers)).isEqualTo(expected);
    assertThat(spanCohorts(SpanKind.CLIENT, clients)).isEqualTo(perAttempt);
    assertThat(labels.spans.spans(SpanKind.SERVER))
        .noneSatisfy(
            s -> assertThat(s.attributes().get(ChaosCohort.SPAN_ATTRIBUTE)).startsWith("hostile"));

    chaos.clearAll();
    servers = spans(SpanKind.SERVER).size();
    assertThat(get("exp-g").statusCode()).isEqualTo(200);
    assertThat(get(null).statusCode()).isEqualTo(200);
    awaitRecorded(65, servers + 2);
    assertThat(labels.cohortCounts("endpoint", "quote")).isEqualTo(expected); // no new labels
    assertThat(labels.total("endpoint", "quote")).isEqualTo(65);
    assertThat(spanCohorts(SpanKind.SERVER, servers)).isEqualTo(Map.of("-", 2L));
  }
}
