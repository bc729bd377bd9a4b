package io.bulwark.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.fault.FaultPoints;
import io.bulwark.core.fault.FaultSite;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.Gateway;
import io.bulwark.gateway.GatewayConfig;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's upstream injection point ({@link FaultPointKind#GATEWAY_UPSTREAM}) over real
 * loopback: a real gateway in front of a real Bulwark server. Each fault type acts on the upstream
 * attempt as the failure it imitates would, only inside its blast radius (cluster = service,
 * gateway route = route, cohort), and the percentage is decided per attempt by default (a retried
 * request may pass) or per request.
 */
class GatewayUpstreamFaultsTest {
  static final byte[] BIG = new byte[100_000];
  static Vertx vertx;
  static BulwarkServer upstream;
  static Gateway gateway;
  static Chaos chaos;
  static final AtomicInteger served = new AtomicInteger();
  static final ConcurrentLinkedQueue<String> attemptHeaders = new ConcurrentLinkedQueue<>();
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    new Random(3).nextBytes(BIG);
    vertx = Vertx.vertx();
    upstream =
        PricesGateway.upstream(vertx)
            .get(
                "/quote",
                r -> {
                  served.incrementAndGet();
                  String a = r.header(FaultSite.ATTEMPT_HEADER);
                  attemptHeaders.add(a == null ? "-" : a);
                  return Response.text(200, "42");
                })
            .get(
                "/big",
                r -> {
                  served.incrementAndGet();
                  return Response.bytes(200, "application/octet-stream", BIG);
                })
            .build()
            .start();
    GatewayConfig config =
        PricesGateway.config(
            upstream.port(),
            "retry-budget: {ratio: 1.0, min-retries-per-second: 1000}",
            """
            quote:
              match: {path-prefix: /quote}
              cluster: prices
              timeout: 3s   # real time, for all attempts: room for a loaded machine's stalls
              retry: {attempts: 3, on-status: [503]}
            big:
              match: {path-prefix: /big}
              cluster: prices
              timeout: 20s
            """);
    gateway = Gateway.builder(config).vertx(vertx).start();
    chaos =
        Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(Scheduler.system()).build();
    // warm both hops up once, so that a cold first exchange does not meet the route's timeout
    try {
      for (String path : new String[] {"/quote", "/big"}) {
        assertThat(get(path).statusCode()).isEqualTo(200);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    served.set(0);
    attemptHeaders.clear();
  }

  @AfterEach
  void reset() {
    chaos.clearAll();
    served.set(0);
    attemptHeaders.clear();
  }

  @AfterAll
  static void stop() throws Exception {
    chaos.close();
    gateway.close();
    upstream.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return b;
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    return CLIENT.send(request(path, headers).build(), HttpResponse.BodyHandlers.ofString());
  }

  static BlastRadius.Builder upstream() {
    return BlastRadius.builder().points(FaultPointKind.GATEWAY_UPSTREAM).service("prices");
  }

  @Test
  void aStatusFaultIsAnsweredAsTheUpstreamWouldAndRetriedLikeIt() throws Exception {
    ActiveFault f =
        chaos.start(
            new Fault.HttpError(503), upstream().route("quote").build(), Duration.ofMinutes(5));
    HttpResponse<String> r = get("/quote");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("chaos-fault");
    assertThat(served).hasValue(0); // never reached the upstream
    assertThat(chaos.injections(f.id())).isEqualTo(3); // each of the route's 3 attempts
    // another route of the same cluster is outside the radius
    HttpResponse<byte[]> big =
        CLIENT.send(request("/big").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(big.statusCode()).isEqualTo(200);
    assertThat(big.body()).isEqualTo(BIG);
  }

  @Test
  void percentagesAreDecidedPerAttemptByDefaultAndPerRequestOnAsk() throws Exception {
    for (BlastRadius.Decision mode : BlastRadius.Decision.values()) {
      long seed = 11;
      ActiveFault f =
          chaos.start(
              new FaultSpec(
                  new Fault.HttpError(503),
                  upstream().route("quote").percent(40).decision(mode).build(),
                  Duration.ofMinutes(5),
                  "",
                  seed));
      int expectedFailed = 0;
      int expectedServed = 0;
      int expectedRetriedServed = 0;
      int failed = 0;
      for (int i = 0; i < 120; i++) {
        String id = "req-" + mode + "-" + i;
        int faultedAttempts = 0;
        while (faultedAttempts < 3
            && (mode == BlastRadius.Decision.PER_REQUEST
                ? FaultTable.selected(seed, id, 0, 40)
                : FaultTable.selected(seed, id, faultedAttempts, 40))) {
          faultedAttempts++;
        }
        if (faultedAttempts == 3) {
          expectedFailed++;
        } else {
          expectedServed++;
          if (faultedAttempts > 0) {
            expectedRetriedServed++;
          }
        }
        int status = get("/quote", "bulwark-correlation-id", id).statusCode();
        if (status == 503) {
          failed++;
        } else {
          assertThat(status).isEqualTo(200);
        }
      }
      assertThat(failed).as(mode.toString()).isEqualTo(expectedFailed);
      assertThat(served.get()).as(mode.toString()).isEqualTo(expectedServed);
      // the upstream saw the retries as such (bulwark-attempt: N on resends only)
      assertThat(attemptHeaders.stream().filter(h -> !h.equals("-")).count())
          .as(mode.toString())
          .isEqualTo(expectedRetriedServed);
      if (mode == BlastRadius.Decision.PER_REQUEST) {
        // a selected request fails on every attempt: 40 % of the requests, none served after a
        // retry
        assertThat(expectedRetriedServed).isZero();
        assertThat(expectedFailed).isBetween(30, 66);
      } else {
        // attempts are independent: about 0.4^3 of the requests fail
        assertThat(expectedRetriedServed).isGreaterThan(20);
        assertThat(expectedFailed).isBetween(1, 20);
      }
      chaos.clear(f.id());
      served.set(0);
      attemptHeaders.clear();
    }
  }

  @Test
  void onlyTheCohortIsFaultedAndNothingOnceCleared() throws Exception {
    chaos.start(
        new Fault.HttpError(500),
        upstream().route("quote").cohort("exp-7").build(),
        Duration.ofMinutes(5));
    for (int i = 0; i < 50; i++) {
      assertThat(get("/quote").statusCode()).isEqualTo(200);
      assertThat(get("/quote", "baggage", "chaos.experiment=exp-8").statusCode()).isEqualTo(200);
      assertThat(get("/quote", "baggage", "chaos.experiment=%%bad").statusCode()).isEqualTo(200);
      assertThat(get("/quote", "baggage", "user=a,chaos.experiment=exp-7").statusCode())
          .isEqualTo(500);
    }
    assertThat(served).hasValue(150);
    chaos.clearAll();
    assertThat(FaultPoints.injector()).isNull();
    assertThat(get("/quote", "baggage", "chaos.experiment=exp-7").statusCode()).isEqualTo(200);
  }

  @Test
  void aBlackholeHangsUntilTheRoutesTimeoutAndAnExceptionFailsTheAttempt() throws Exception {
    ActiveFault hole =
        chaos.start(
            new Fault.Blackhole(), upstream().route("quote").build(), Duration.ofMinutes(5));
    HttpResponse<String> r = get("/quote");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("upstream-timeout");
    assertThat(served).hasValue(0);
    assertThat(chaos.injections(hole.id())).isEqualTo(1); // a timeout is not retried
    chaos.clearAll();

    chaos.start(
        Fault.Raise.of(IllegalStateException.class.getName(), "boom"),
        upstream().route("quote").build(),
        Duration.ofMinutes(5));
    HttpResponse<String> failed = get("/quote");
    assertThat(failed.statusCode()).isEqualTo(502);
    assertThat(failed.body()).contains("upstream-failed", "boom");
    assertThat(served).hasValue(0);
  }

  @Test
  void aLatencyFaultDelaysTheAttemptOnTheInjectorsScheduler() throws Exception {
    chaos.close();
    VirtualScheduler virtual = new VirtualScheduler();
    Chaos timed = Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(virtual).build();
    try {
      timed.start(
          Fault.Latency.of(Duration.ofSeconds(3)),
          upstream().route("big").build(),
          Duration.ofMinutes(5));
      CompletableFuture<HttpResponse<byte[]>> r =
          CLIENT.sendAsync(request("/big").build(), HttpResponse.BodyHandlers.ofByteArray());
      // the marker: the delay's timer is pending beside the fault's expiry
      long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (virtual.pendingTasks() < 2 && System.nanoTime() - limit < 0) {
        Thread.onSpinWait();
      }
      assertThat(virtual.pendingTasks()).isEqualTo(2);
      assertThat(served).hasValue(0);
      assertThat(r).isNotDone();
      virtual.advance(Duration.ofMillis(2_999));
      assertThat(served).hasValue(0);
      virtual.advance(Duration.ofMillis(1));
      HttpResponse<byte[]> answer = r.get(20, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo(BIG);
      assertThat(served).hasValue(1);
    } finally {
      timed.close();
      chaos =
          Chaos.builder()
              .config(ChaosConfig.enabledDefaults())
              .scheduler(Scheduler.system())
              .build();
    }
  }

  @Test
  void aTruncatedBodyIsCutAfterTheKeptBytes() throws Exception {
    chaos.start(
        new Fault.TruncatedBody(1_000), upstream().route("big").build(), Duration.ofMinutes(5));
    HttpResponse<InputStream> r =
        CLIENT.send(request("/big").build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-length")).contains(Integer.toString(BIG.length));
    byte[] got = new byte[BIG.length];
    int n = 0;
    boolean cut = false;
    try (InputStream in = r.body()) {
      int k;
      while ((k = in.read(got, n, got.length - n)) > 0) {
        n += k;
      }
    } catch (IOException e) {
      cut = true;
    }
    assertThat(n).isEqualTo(1_000);
    assertThat(cut || n < BIG.length).isTrue();
    assertThat(Arrays.copyOf(got, n)).isEqualTo(Arrays.copyOf(BIG, 1_000));
  }

  @Test
  void aSlowBodyArrivesWholeAtTheFaultsPace() throws Exception {
    chaos.start(
        new Fault.SlowBody(200_000), upstream().route("big").build(), Duration.ofMinutes(5));
    long start = System.nanoTime();
    HttpResponse<byte[]> r =
        CLIENT.send(request("/big").build(), HttpResponse.BodyHandlers.ofByteArray());
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(BIG);
    // 100,000 bytes at 200,000 B/s in 10,000-byte slices 50 ms apart: at least 9 waits of 50 ms
    // (a lower bound only: pacing can make it slower, never faster)
    assertThat(tookMs).isGreaterThanOrEqualTo(450);
  }
}
