package io.bulwark.chaos.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.core.context.Context;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultTag;
import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.client.ClientRequest;
import io.bulwark.http.client.ClientResponse;
import io.bulwark.http.client.HttpCallException;
import io.bulwark.http.client.ServiceClient;
import io.bulwark.test.RecordingTelemetry;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.kit.TimeDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each fault type at the HTTP client and server points, on real loopback servers: what the caller
 * sees, whether the handler ran, and that the faulted hop is tagged. Delays, slow bodies and
 * blackholes wait on a virtual scheduler that the test advances.
 */
class HttpFaultsTest {
  private static final byte[] BODY = new byte[1000];

  static {
    Arrays.fill(BODY, (byte) 'x');
  }

  /** Longer than any test: a shutdown that waited it out would abandon its request. */
  private static final Duration DRAIN_BUDGET = Duration.ofMinutes(2);

  private final Loopback net = new Loopback();
  private final RecordingTelemetry telemetry = new RecordingTelemetry();
  private final VirtualScheduler virtual = new VirtualScheduler();
  private final AtomicInteger handled = new AtomicInteger();
  private final List<Chaos> controllers = new ArrayList<>();
  private ServiceClient client;
  private BulwarkServer server;

  private void start(Duration clientTimeout) {
    server =
        net.server(
            "inventory",
            "inventory-1",
            telemetry,
            b ->
                b.drainBudget(DRAIN_BUDGET)
                    .get(
                        "/stock/{sku}",
                        r -> {
                          handled.incrementAndGet();
                          return Response.json(java.util.Map.of("sku", r.pathParam("sku")));
                        })
                    .get(
                        "/blob",
                        r -> {
                          handled.incrementAndGet();
                          return Response.bytes(200, "application/octet-stream", BODY);
                        })
                    .routeNonBlocking(
                        "GET",
                        "/nb/slow",
                        r -> {
                          handled.incrementAndGet();
                          return Response.json(java.util.Map.of("route", "slow"));
                        })
                    .routeNonBlocking(
                        "GET", "/nb/free", r -> Response.json(java.util.Map.of("route", "free"))));
    client = net.client("inventory", clientTimeout, telemetry);
  }

  private Chaos chaos(Scheduler scheduler) {
    Chaos c =
        Chaos.builder()
            .config(ChaosConfig.enabledDefaults())
            .scheduler(scheduler)
            .telemetry(telemetry)
            .build();
    controllers.add(c);
    return c;
  }

  @AfterEach
  void close() {
    controllers.forEach(Chaos::close);
    virtual.advance(Duration.ofHours(2)); // releases any pause still waiting on virtual time
    net.close();
  }

  private static BlastRadius at(FaultPointKind kind) {
    return BlastRadius.builder().points(kind).service("inventory").build();
  }

  private ClientResponse get(String path) throws InterruptedException {
    return client.send(ClientRequest.get(path));
  }

  private CompletableFuture<ClientResponse> getInBackground(String path) {
    return inBackground(Context.root(), path);
  }

  /** {@code GET path} on a virtual thread with {@code context} bound. */
  private CompletableFuture<ClientResponse> inBackground(Context context, String path) {
    CompletableFuture<ClientResponse> call = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () ->
                context.run(
                    () -> {
                      try {
                        call.complete(get(path));
                      } catch (Throwable e) {
                        call.completeExceptionally(e);
                      }
                    }));
    return call;
  }

  /** Waits until the virtual scheduler holds {@code n} tasks (the fault's expiry is one). */
  private void awaitPending(int n) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (virtual.pendingTasks() < n) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("the virtual scheduler never held " + n + " tasks");
      }
      Thread.onSpinWait();
    }
  }

  /**
   * The first ended server span that {@code which} accepts, waiting for it: a server span ends when
   * its exchange does, just after the answer is written, so the caller can hold the answer first.
   */
  private RecordingTelemetry.Span awaitServerSpan(
      java.util.function.Predicate<RecordingTelemetry.Span> which) throws InterruptedException {
    java.util.function.Supplier<java.util.Optional<RecordingTelemetry.Span>> find =
        () -> telemetry.spans(SpanKind.SERVER).stream().filter(which).findFirst();
    assertThat(
            TimeDriver.real(net.scheduler)
                .passUntil(Duration.ofSeconds(20), () -> find.get().isPresent()))
        .as("a matching server span ended within 20 s; ended: %s", telemetry.spans(SpanKind.SERVER))
        .isTrue();
    return find.get().orElseThrow();
  }

  // --- client point

  @Test
  void clientErrorStatusFailsTheAttemptWithoutReachingTheServerAndTagsTheClientSpan()
      throws Exception {
    start(Duration.ofSeconds(5));
    ActiveFault f =
        chaos(net.scheduler)
            .start(
                FaultSpec.of(
                        new Fault.HttpError(503),
                        at(FaultPointKind.HTTP_CLIENT),
                        Duration.ofMinutes(1))
                    .inExperiment("exp-c"));
    assertThatThrownBy(() -> get("/stock/a"))
        .isInstanceOf(HttpCallException.class)
        .satisfies(e -> assertThat(((HttpCallException) e).status()).isEqualTo(503));
    assertThat(handled).hasValue(0);
    RecordingTelemetry.Span span = telemetry.spans(SpanKind.CLIENT).getFirst();
    assertThat(span.attributes())
        .containsEntry(FaultTag.FAULT_ID, f.id())
        .containsEntry(FaultTag.FAULT_TYPE, "http-error")
        .containsEntry(FaultTag.EXPERIMENT, "exp-c");
    assertThat(span.events()).contains("chaos.fault");
    assertThat(telemetry.injections())
        .containsExactly(new RecordingTelemetry.Injection("exp-c", "http-error"));
  }

  @Test
  void clientExceptionIsThrownAsGivenWithoutReachingTheServer() throws Exception {
    start(Duration.ofSeconds(5));
    chaos(net.scheduler)
        .start(
            Fault.Raise.of("java.lang.UnsupportedOperationException", "injected boom"),
            at(FaultPointKind.HTTP_CLIENT),
            Duration.ofMinutes(1));
    assertThatThrownBy(() -> get("/stock/a"))
        .isExactlyInstanceOf(UnsupportedOperationException.class)
        .hasMessage("injected boom");
    assertThat(handled).hasValue(0);
  }

  @Test
  void clientLatencyHoldsTheAttemptUntilTheDelayPassesThenCallsTheServer() throws Exception {
    start(Duration.ofSeconds(5));
    chaos(virtual)
        .start(
            Fault.Latency.of(Duration.ofMillis(300)),
            at(FaultPointKind.HTTP_CLIENT),
            Duration.ofMinutes(1));
    CompletableFuture<ClientResponse> call = getInBackground("/stock/a");
    awaitPending(2); // the expiry and the attempt's delay
    virtual.advance(Duration.ofMillis(299));
    assertThat(call).isNotDone();
    assertThat(handled).hasValue(0);
    virtual.advance(Duration.ofMillis(1));
    assertThat(call.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(handled).hasValue(1);
  }

  @Test
  void clientBlackholeHangsUntilTheCallersDeadlineThenFailsAsAPassedDeadline() throws Exception {
    start(Duration.ofSeconds(5));
    chaos(virtual)
        .start(new Fault.Blackhole(), at(FaultPointKind.HTTP_CLIENT), Duration.ofMinutes(1));
    CompletableFuture<ClientResponse> call = new CompletableFuture<>();
    Context withDeadline = Context.root().withTimeout(Duration.ofSeconds(3), net.scheduler.clock());
    Thread.ofVirtual()
        .start(
            () ->
                withDeadline.run(
                    () -> {
                      try {
                        call.complete(get("/stock/a"));
                      } catch (Throwable e) {
                        call.completeExceptionally(e);
                      }
                    }));
    awaitPending(2);
    // the hang is bounded by the deadline's remaining time (under 3 s, less than the 5 s timeout)
    virtual.advance(Duration.ofMillis(2500));
    assertThat(call).isNotDone();
    virtual.advance(Duration.ofMillis(500));
    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DeadlineExceededException.class);
    assertThat(handled).hasValue(0);
  }

  @Test
  void clientBlackholeWithoutDeadlineEndsAtTheAttemptTimeoutAsATimeout() throws Exception {
    start(Duration.ofSeconds(2));
    chaos(virtual)
        .start(new Fault.Blackhole(), at(FaultPointKind.HTTP_CLIENT), Duration.ofMinutes(1));
    CompletableFuture<ClientResponse> call = getInBackground("/stock/a");
    awaitPending(2);
    virtual.advance(Duration.ofMillis(1999));
    assertThat(call).isNotDone();
    virtual.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(HttpCallException.class)
        .satisfies(e -> assertThat(((HttpCallException) e).isTimeout()).isTrue());
  }

  // --- server point

  @Test
  void serverErrorStatusIsAnsweredInsteadOfTheHandlerAndTagsTheServerSpan() throws Exception {
    start(Duration.ofSeconds(5));
    Chaos c = chaos(net.scheduler);
    ActiveFault f =
        c.start(new Fault.HttpError(502), at(FaultPointKind.HTTP_SERVER), Duration.ofMinutes(1));
    assertThatThrownBy(() -> get("/stock/a"))
        .isInstanceOf(HttpCallException.class)
        .satisfies(e -> assertThat(((HttpCallException) e).status()).isEqualTo(502));
    assertThat(handled).hasValue(0);
    // 4xx is an answer, not a failure, at the client
    c.clear(f.id());
    c.start(new Fault.HttpError(429), at(FaultPointKind.HTTP_SERVER), Duration.ofMinutes(1));
    ClientResponse r = get("/stock/a");
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.bodyAsString()).contains("chaos_fault");
    assertThat(handled).hasValue(0);
    assertThat(awaitServerSpan(s -> f.id().equals(s.attributes().get(FaultTag.FAULT_ID))))
        .isNotNull();
  }

  @Test
  void serverExceptionIsAnsweredAsAHandlerFailure() throws Exception {
    start(Duration.ofSeconds(5));
    chaos(net.scheduler)
        .start(
            Fault.Raise.of("java.lang.IllegalStateException", "db down"),
            at(FaultPointKind.HTTP_SERVER),
            Duration.ofMinutes(1));
    assertThatThrownBy(() -> get("/stock/a"))
        .isInstanceOf(HttpCallException.class)
        .satisfies(e -> assertThat(((HttpCallException) e).status()).isEqualTo(500));
    assertThat(handled).hasValue(0);
  }

  @Test
  void serverLatencyDelaysTheHandlerUntilTheDelayPasses() throws Exception {
    start(Duration.ofSeconds(5));
    chaos(virtual)
        .start(
            Fault.Latency.of(Duration.ofSeconds(1)),
            at(FaultPointKind.HTTP_SERVER),
            Duration.ofMinutes(1));
    CompletableFuture<ClientResponse> call = getInBackground("/stock/a");
    awaitPending(2);
    virtual.advance(Duration.ofMillis(999));
    assertThat(call).isNotDone();
    assertThat(handled).hasValue(0);
    virtual.advance(Duration.ofMillis(1));
    assertThat(call.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(handled).hasValue(1);
  }

  @Test
  void serverBlackholeNeverRunsTheHandlerAndTheCallerFailsAtItsDeadline() throws Exception {
    start(Duration.ofSeconds(5));
    // real time: the server's deadline timer answers when the propagated deadline passes
    chaos(net.scheduler)
        .start(new Fault.Blackhole(), at(FaultPointKind.HTTP_SERVER), Duration.ofMinutes(1));
    Context withDeadline =
        Context.root().withTimeout(Duration.ofMillis(300), net.scheduler.clock());
    // both sides hold the same deadline: the caller's own timer or the server's 504 wins the race
    assertThatThrownBy(() -> withDeadline.call(() -> get("/stock/a")))
        .satisfiesAnyOf(
            e -> assertThat(e).isInstanceOf(DeadlineExceededException.class),
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        HttpCallException.class, h -> assertThat(h.status()).isEqualTo(504)));
    assertThat(handled).hasValue(0);
  }

  private static BlastRadius nonBlockingSlowRoute() {
    return BlastRadius.builder()
        .points(FaultPointKind.HTTP_SERVER)
        .service("inventory")
        .route("/nb/slow")
        .build();
  }

  @Test
  void serverLatencyOnANonBlockingRouteDelaysItsHandlerWithATimerWhileTheLoopServesOthers()
      throws Exception {
    start(Duration.ofSeconds(5));
    chaos(virtual)
        .start(
            Fault.Latency.of(Duration.ofSeconds(1)), nonBlockingSlowRoute(), Duration.ofMinutes(1));
    CompletableFuture<ClientResponse> call = getInBackground("/nb/slow");
    awaitPending(2); // the expiry and the delay's timer: the handler's start is deferred to it
    virtual.advance(Duration.ofMillis(999));
    // the server has one event loop: a request answered now proves the delay does not block it
    assertThat(get("/nb/free").bodyAsString()).contains("free");
    assertThat(call).isNotDone();
    assertThat(handled).hasValue(0);
    virtual.advance(Duration.ofMillis(1));
    ClientResponse r = call.get(10, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("slow");
    assertThat(handled).hasValue(1);
    assertThat(awaitServerSpan(s -> s.name().equals("GET /nb/slow")).attributes())
        .containsEntry(FaultTag.FAULT_TYPE, "latency");
  }

  @Test
  void serverLatencyOnANonBlockingRouteLongerThanTheDeadlineAnswers504AtTheDeadline()
      throws Exception {
    start(Duration.ofSeconds(60));
    chaos(virtual)
        .start(
            Fault.Latency.of(Duration.ofSeconds(50)),
            nonBlockingSlowRoute(),
            Duration.ofMinutes(5));
    CompletableFuture<ClientResponse> call = callWithDeadline("/nb/slow", Duration.ofSeconds(30));
    awaitPending(2);
    virtual.advance(Duration.ofSeconds(29));
    assertThat(call).isNotDone();
    virtual.advance(Duration.ofSeconds(1)); // the deadline (less than 30 s left at the server)
    assertAnsweredWithoutTheHandler(call, 504);
  }

  @Test
  void serverBlackholeOnANonBlockingRouteNeverRunsTheHandlerAndAnswers504AtTheCallersDeadline()
      throws Exception {
    start(Duration.ofSeconds(60));
    chaos(virtual).start(new Fault.Blackhole(), nonBlockingSlowRoute(), Duration.ofMinutes(5));
    // a real-time deadline far enough away that only the server's virtual timer can end the call
    CompletableFuture<ClientResponse> call = callWithDeadline("/nb/slow", Duration.ofSeconds(30));
    awaitPending(2);
    virtual.advance(Duration.ofSeconds(29));
    assertThat(get("/nb/free").bodyAsString()).contains("free");
    assertThat(call).isNotDone();
    virtual.advance(Duration.ofSeconds(1));
    assertAnsweredWithoutTheHandler(call, 504);
  }

  @Test
  void serverBlackholeOnANonBlockingRouteWithoutDeadlineEndsWithTheFaultAs500() throws Exception {
    start(Duration.ofSeconds(60));
    chaos(virtual).start(new Fault.Blackhole(), nonBlockingSlowRoute(), Duration.ofSeconds(20));
    CompletableFuture<ClientResponse> call = getInBackground("/nb/slow");
    awaitPending(2);
    virtual.advance(Duration.ofMillis(19_999));
    assertThat(call).isNotDone();
    virtual.advance(Duration.ofMillis(1)); // the fault's life ends, and with it the hang
    assertAnsweredWithoutTheHandler(call, 500);
  }

  @Test
  void shutdownRefusesARequestWaitingOnANonBlockingDelayAtOnceAndCancelsItsTimer()
      throws Exception {
    assertShutdownEndsTheWait(Fault.Latency.of(Duration.ofSeconds(50)));
  }

  @Test
  void shutdownRefusesARequestInANonBlockingBlackholeAtOnceAndCancelsItsTimer() throws Exception {
    assertShutdownEndsTheWait(new Fault.Blackhole());
  }

  /**
   * A request waits on {@code fault}'s timer on a non-blocking route when the server shuts down:
   * the drain answers it 503 {@code shutting_down} and abandons nothing (it did not wait out its
   * budget of two minutes), the timer is cancelled (the virtual scheduler holds only the fault's
   * expiry) and never runs the handler, however far time moves on.
   */
  private void assertShutdownEndsTheWait(Fault fault) throws Exception {
    start(Duration.ofSeconds(60));
    chaos(virtual).start(fault, nonBlockingSlowRoute(), Duration.ofMinutes(5));
    CompletableFuture<ClientResponse> call = callWithDeadline("/nb/slow", Duration.ofSeconds(30));
    awaitPending(2); // the fault's expiry and the request's timer
    assertThat(server.shutdown()).as("requests abandoned by the drain").isZero();
    assertAnsweredWithoutTheHandler(call, 503);
    assertThat(virtual.pendingTasks()).as("the request's timer is cancelled").isEqualTo(1);
    virtual.advance(Duration.ofMinutes(10));
    assertThat(handled).hasValue(0);
  }

  /** {@code call} ends with an answer of {@code status}, and the handler never ran. */
  private void assertAnsweredWithoutTheHandler(CompletableFuture<ClientResponse> call, int status) {
    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            HttpCallException.class, h -> assertThat(h.status()).isEqualTo(status));
    assertThat(handled).hasValue(0);
  }

  private CompletableFuture<ClientResponse> callWithDeadline(String path, Duration deadline) {
    return inBackground(Context.root().withTimeout(deadline, net.scheduler.clock()), path);
  }

  @Test
  void slowBodyArrivesWholeAtTheConfiguredRate() throws Exception {
    start(Duration.ofSeconds(30));
    // 2000 B/s: chunks of 200 bytes every 100 ms; 1000 bytes = first chunk + 4 paced ones
    chaos(virtual)
        .start(new Fault.SlowBody(2000), at(FaultPointKind.HTTP_SERVER), Duration.ofMinutes(1));
    CompletableFuture<ClientResponse> call = getInBackground("/blob");
    int advances = 0;
    while (!call.isDone()) {
      awaitPendingOrDone(2, call);
      if (call.isDone()) {
        break;
      }
      virtual.advance(Duration.ofMillis(100));
      advances++;
    }
    ClientResponse r = call.get(10, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(BODY);
    assertThat(advances).isEqualTo(4);
    assertThat(handled).hasValue(1);
  }

  private void awaitPendingOrDone(int n, CompletableFuture<?> call) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (virtual.pendingTasks() < n && !call.isDone()) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("no paced write was scheduled");
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void truncatedBodyCutsTheConnectionAfterTheKeptBytes() throws Exception {
    start(Duration.ofSeconds(5));
    chaos(net.scheduler)
        .start(new Fault.TruncatedBody(10), at(FaultPointKind.HTTP_SERVER), Duration.ofMinutes(1));
    assertThatThrownBy(() -> get("/blob")).isInstanceOf(HttpCallException.class);
    assertThat(handled).hasValue(1);
  }

  // --- blast radius over many requests

  @Test
  void requestsOutsideTheRadiusAreNeverFaultedAndInsideTheSeededShareIsReproducible()
      throws Exception {
    start(Duration.ofSeconds(5));
    List<Integer> first = faultedRun();
    List<Integer> second = faultedRun();
    assertThat(second).isEqualTo(first);
    // 1,000 requests inside at 30 %: mean 300, sd 14.5; 5 sd either side
    assertThat(first.size()).isBetween(228, 372);
  }

  /** 1,000 requests to /stock/{sku} (inside) and 1,000 to /blob (outside); faulted indexes. */
  private List<Integer> faultedRun() throws Exception {
    Chaos c = chaos(net.scheduler);
    c.start(
        new FaultSpec(
            new Fault.HttpError(503),
            BlastRadius.builder()
                .points(FaultPointKind.HTTP_SERVER)
                .service("inventory")
                .route("/stock/{sku}")
                .percent(30)
                .build(),
            Duration.ofMinutes(1),
            "",
            1234));
    List<Integer> faulted = new ArrayList<>();
    int outsideFaulted = 0;
    for (int i = 0; i < 2000; i++) {
      boolean inside = i % 2 == 0;
      String path = inside ? "/stock/s" + i : "/blob";
      Context ctx = Context.root().withCorrelationId("req-" + i);
      int status;
      try {
        status = ctx.call(() -> get(path)).status();
      } catch (HttpCallException e) {
        status = e.status();
      }
      if (status == 503) {
        if (inside) {
          faulted.add(i);
        } else {
          outsideFaulted++;
        }
      } else {
        assertThat(status).isEqualTo(200);
      }
    }
    assertThat(outsideFaulted).isZero();
    c.close();
    return faulted;
  }
}
