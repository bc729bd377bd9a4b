package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Work past its deadline is dropped with 504: the deadline timer runs on a virtual scheduler, so
 * the test decides exactly when the deadline passes.
 */
class DeadlineEnforcementTest {
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch interrupted = new CountDownLatch(1);
  private final CountDownLatch never = new CountDownLatch(1);
  private final AtomicInteger runs = new AtomicInteger();
  private final java.util.concurrent.BlockingQueue<AccessLogEntry> log =
      new java.util.concurrent.LinkedBlockingQueue<>();
  private Vertx vertx;
  private BulwarkServer server;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .scheduler(scheduler)
            .listener(
                new ServerListener() {
                  @Override
                  public void onRequest(AccessLogEntry entry) {
                    log.add(entry);
                  }
                })
            .get(
                "/slow",
                r -> {
                  runs.incrementAndGet();
                  entered.countDown();
                  try {
                    never.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                  }
                  return Response.json("too late");
                })
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    never.countDown();
    server.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void handlerStillRunningAtTheDeadlineIsAnswered504AndInterrupted() throws Exception {
    CompletableFuture<RawHttp.Reply> reply =
        CompletableFuture.supplyAsync(
            () -> call("bulwark-deadline: 1000", "bulwark-correlation-id: late-1"),
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    scheduler.advance(Duration.ofMillis(999));
    assertThat(reply).isNotDone();
    scheduler.advance(Duration.ofMillis(1));

    RawHttp.Reply r = reply.get(10, TimeUnit.SECONDS);
    ServerBasicsTest.assertError(r, 504, "deadline_exceeded");
    assertThat(r.body()).contains("late-1");
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void requestArrivingWithAnExpiredDeadlineIsNotRun() throws Exception {
    RawHttp.Reply r = call("bulwark-deadline: 0");
    ServerBasicsTest.assertError(r, 504, "deadline_exceeded");
    assertThat(runs).hasValue(0);
    ServerBasicsTest.awaitEntry(
        log, e -> e.outcome() == RequestOutcome.DEADLINE && e.status() == 504);
  }

  @Test
  void receivedDeadlineIsCappedByMaxDeadline() throws Exception {
    // 10 minutes asked for, 60 s (the default maxDeadline) granted: 60 s of virtual time ends it
    CompletableFuture<RawHttp.Reply> reply =
        CompletableFuture.supplyAsync(
            () -> call("bulwark-deadline: 600000"),
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    scheduler.advance(Duration.ofSeconds(60));
    assertThat(reply.get(10, TimeUnit.SECONDS).status()).isEqualTo(504);
  }

  private RawHttp.Reply call(String... headers) {
    try {
      return RawHttp.get(server.port(), "/slow", headers);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
