package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Graceful shutdown: every request accepted before shutdown is answered; new ones are not taken.
 */
class GracefulShutdownTest {
  private final Semaphore entered = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch draining = new CountDownLatch(1);
  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
  private Vertx vertx;

  @BeforeEach
  void createVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    release.countDown();
    callers.shutdownNow();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private BulwarkServer server(Duration drainBudget) {
    return BulwarkServer.builder()
        .vertx(vertx)
        .eventLoops(2)
        .drainBudget(drainBudget)
        .listener(
            new ServerListener() {
              @Override
              public void onDrainStarted(int inFlight) {
                draining.countDown();
              }
            })
        .get(
            "/work/{n}",
            r -> {
              entered.release();
              if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
              }
              return Response.json(r.pathParam("n"));
            })
        .build()
        .start();
  }

  @Test
  void shutdownLosesNoAcceptedRequest() throws Exception {
    BulwarkServer server = server(Duration.ofSeconds(20));
    int port = server.port();
    int n = 8;
    List<Future<RawHttp.Reply>> inFlight = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String path = "/work/" + i;
      inFlight.add(callers.submit(() -> RawHttp.get(port, path)));
    }
    assertThat(entered.tryAcquire(n, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(server.inFlight()).isEqualTo(n);

    CompletableFuture<Integer> shutdown = CompletableFuture.supplyAsync(server::shutdown, callers);
    assertThat(draining.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(server.isReady()).isFalse();
    assertThat(shutdown).isNotDone();

    release.countDown();
    for (int i = 0; i < n; i++) {
      RawHttp.Reply r = inFlight.get(i).get(20, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("\"" + i + "\"");
    }
    assertThat(shutdown.get(20, TimeUnit.SECONDS)).isZero();
    assertThatThrownBy(() -> RawHttp.get(port, "/work/late")).isInstanceOf(IOException.class);
  }

  @Test
  void drainBudgetBoundsTheWaitAndReportsAbandonedRequests() throws Exception {
    BulwarkServer server = server(Duration.ofMillis(300));
    int port = server.port();
    Future<?> stuck =
        callers.submit(
            () -> {
              try {
                return RawHttp.get(port, "/work/stuck");
              } catch (IOException closedByShutdown) {
                return null;
              }
            });
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(server.shutdown()).isEqualTo(1);
    stuck.cancel(true);
  }
}
