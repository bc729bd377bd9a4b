package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.resilience.ConcurrencyLimiter;
import io.bulwark.resilience.limit.AimdLimit;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Under load the server sheds SHEDDABLE requests while CRITICAL ones still get in, and CRITICAL
 * before CRITICAL_PLUS: with the fixed event-loop admission and with bulwark-resilience's adaptive
 * concurrency limiter. Requests are held inside the handler with latches, so "how full" the server
 * is never depends on timing.
 */
class LoadSheddingTest {
  private final Semaphore entered = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
  private Vertx vertx;
  private BulwarkServer server;

  private void start(Consumer<BulwarkServer.Builder> shedding) {
    vertx = Vertx.vertx();
    BulwarkServer.Builder b =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .get(
                "/work",
                r -> {
                  entered.release();
                  if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                  }
                  return Response.json("done");
                });
    shedding.accept(b);
    server = b.build().start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    callers.shutdownNow();
    if (server != null) {
      server.shutdown();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void fixedAdmissionShedsSheddableBeforeCritical() throws Exception {
    start(b -> b.admission(Admission.byCriticality(4)));
    assertShedsInCriticalityOrder();
  }

  @Test
  void adaptiveLimiterShedsSheddableBeforeCritical() throws Exception {
    ConcurrencyLimiter limiter = limitOf4();
    start(b -> b.limiter(limiter));
    assertShedsInCriticalityOrder();
  }

  @Test
  void adaptiveLimiterShedsBeforeTheBodyIsRead() throws Exception {
    ConcurrencyLimiter limiter = limitOf4();
    start(
        b ->
            b.limiter(limiter)
                .post(
                    "/upload",
                    r -> {
                      throw new AssertionError("a shed request must not reach its handler");
                    }));
    List<Future<RawHttp.Reply>> held = List.of(hold("SHEDDABLE"), hold("SHEDDABLE"));
    assertThat(entered.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(limiter.inflight()).isEqualTo(2);

    // announces 1,000 bytes and sends 10: only an answer given before the body is read arrives
    RawHttp.Reply shed =
        RawHttp.send(
            server.port(),
            "POST /upload HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 1000"
                + "\r\nbulwark-criticality: SHEDDABLE",
            "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    ServerBasicsTest.assertError(shed, 503, "overloaded");
    assertThat(limiter.inflight()).isEqualTo(2);

    release.countDown();
    for (Future<RawHttp.Reply> f : held) {
      assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(limiter.inflight()).isZero();
  }

  /**
   * An adaptive limiter held at 4 (AIMD between 1 and 4; no sample here is slow enough to drop).
   */
  private static ConcurrencyLimiter limitOf4() {
    return ConcurrencyLimiter.of(
        "server",
        ConcurrencyLimiter.builder()
            .algorithm(new AimdLimit(4, 1, 4, 0.9, Duration.ofSeconds(30)))
            .build());
  }

  /** Limit 4: SHEDDABLE may fill 2, CRITICAL 3, CRITICAL_PLUS all 4. */
  private void assertShedsInCriticalityOrder() throws Exception {
    List<Future<RawHttp.Reply>> held = new ArrayList<>();
    held.add(hold("SHEDDABLE"));
    held.add(hold("SHEDDABLE"));
    assertThat(entered.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();

    RawHttp.Reply shed = call("SHEDDABLE");
    ServerBasicsTest.assertError(shed, 503, "overloaded");
    assertThat(shed.header("retry-after")).isEqualTo("1");
    assertThat(shed.body()).contains("SHEDDABLE");

    held.add(hold("CRITICAL"));
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    ServerBasicsTest.assertError(call("CRITICAL"), 503, "overloaded");

    held.add(hold("CRITICAL_PLUS"));
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();

    release.countDown();
    for (Future<RawHttp.Reply> f : held) {
      assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(call("SHEDDABLE").status()).isEqualTo(200);
  }

  private Future<RawHttp.Reply> hold(String criticality) {
    return callers.submit(() -> call(criticality));
  }

  private RawHttp.Reply call(String criticality) throws Exception {
    return RawHttp.get(server.port(), "/work", "bulwark-criticality: " + criticality);
  }
}
