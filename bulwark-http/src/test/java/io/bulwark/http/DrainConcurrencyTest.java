package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A drain holds no lock while it waits: with one request held in its handler and a drain budget of
 * 60 s, everything else a caller can do to the server answers at once (well within 10 s) instead of
 * waiting out the budget, and a request finishing during the drain ends it. "At once" is proven by
 * the drain still running when the other call has returned.
 */
class DrainConcurrencyTest {
  private static final Duration BUDGET = Duration.ofSeconds(60);
  private final Semaphore entered = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch draining = new CountDownLatch(1);
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
  private Vertx vertx;
  private BulwarkServer server;
  private Future<RawHttp.Reply> held;
  private CompletableFuture<Integer> drain;

  @BeforeEach
  void startDraining() throws Exception {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .drainBudget(BUDGET)
            .listener(
                new ServerListener() {
                  @Override
                  public void onDrainStarted(int inFlight) {
                    draining.countDown();
                  }
                })
            .get(
                "/work",
                r -> {
                  entered.release();
                  try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                      throw new IllegalStateException("never released");
                    }
                  } catch (InterruptedException killed) {
                    return Response.json("late");
                  }
                  return Response.json("done");
                })
            .build()
            .start();
    int port = server.port();
    held = callers.submit(() -> RawHttp.get(port, "/work"));
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    drain = CompletableFuture.supplyAsync(server::shutdown, callers);
    assertThat(draining.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void stop() {
    release.countDown();
    callers.shutdownNow();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void startReadinessAndCountsAnswerDuringADrain() throws Exception {
    CompletableFuture<BulwarkServer> start = CompletableFuture.supplyAsync(server::start, callers);
    assertThat(start.get(10, TimeUnit.SECONDS)).isSameAs(server);
    assertThat(server.isReady()).isFalse();
    assertThat(server.inFlight()).isEqualTo(1);
    assertThat(drain).as("the drain is still waiting for the held request").isNotDone();

    release.countDown();
    assertThat(held.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(drain.get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void aKillDuringADrainReturnsAtOnceAndEndsTheDrain() throws Exception {
    CompletableFuture<Integer> kill = CompletableFuture.supplyAsync(server::kill, callers);
    assertThat(kill.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    // the drain stops waiting for its 60 s budget: it reports the request the kill found
    assertThat(drain.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(server.isReady()).isFalse();
  }

  @Test
  void aSecondShutdownWaitsForTheFirstsResultWithoutBlockingAKill() throws Exception {
    CompletableFuture<Integer> second = CompletableFuture.supplyAsync(server::shutdown, callers);
    CompletableFuture<Integer> kill = CompletableFuture.supplyAsync(server::kill, callers);
    assertThat(kill.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(drain.get(10, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void aSecondShutdownGetsTheSameResultOnceTheRequestFinishes() throws Exception {
    CompletableFuture<Integer> second = CompletableFuture.supplyAsync(server::shutdown, callers);
    release.countDown();
    assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("\"done\"");
    assertThat(drain.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(second.get(10, TimeUnit.SECONDS)).isZero();
  }
}
