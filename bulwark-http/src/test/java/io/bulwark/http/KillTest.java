package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.time.Scheduler;
import io.bulwark.test.kit.TimeDriver;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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

/** {@link BulwarkServer#kill()}: a crash, not a drain. */
class KillTest {
  private final Semaphore entered = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);
  private final Semaphore interrupted = new Semaphore(0);
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

  private BulwarkServer.Builder blocking() {
    return BulwarkServer.builder()
        .eventLoops(2)
        .drainBudget(Duration.ofSeconds(30))
        .get("/hello", r -> Response.json("hello"))
        .get(
            "/work/{n}",
            r -> {
              entered.release();
              try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                  throw new IllegalStateException("never released");
                }
              } catch (InterruptedException e) {
                interrupted.release();
                return Response.json("late answer");
              }
              return Response.json(r.pathParam("n"));
            });
  }

  /** Sends a request on a raw socket and returns everything read until the server closes it. */
  private Future<String> rawCall(int port, String path) {
    byte[] raw =
        ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    return callers.submit(() -> RawHttp.untilClosed(port, raw));
  }

  @Test
  void killClosesInFlightConnectionsUnansweredAndInterruptsHandlers() throws Exception {
    BulwarkServer server = blocking().vertx(vertx).build().start();
    int port = server.port();
    int n = 4;
    List<Future<String>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(rawCall(port, "/work/" + i));
    }
    assertThat(entered.tryAcquire(n, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(server.isReady()).isTrue();

    assertThat(server.kill()).isEqualTo(n);

    for (Future<String> call : calls) {
      assertThat(call.get(20, TimeUnit.SECONDS)).as("bytes the client received").isEmpty();
    }
    assertThat(interrupted.tryAcquire(n, 10, TimeUnit.SECONDS)).as("handlers interrupted").isTrue();
    assertThat(server.isReady()).isFalse();
    assertThatThrownBy(() -> RawHttp.get(port, "/hello"))
        .as("a new connection after kill")
        .isInstanceOf(ConnectException.class);
    // the port is free again at once: nothing of the server holds it
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void killIsIdempotentAndAShutdownAfterItReturnsAtOnce() throws Exception {
    BulwarkServer server = blocking().vertx(vertx).build().start();
    Future<String> call = rawCall(server.port(), "/work/1");
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();

    assertThat(server.kill()).isEqualTo(1);
    assertThat(call.get(20, TimeUnit.SECONDS)).isEmpty();
    assertThat(server.kill()).as("second kill").isEqualTo(1);
    // the drain budget is 30 s: a shutdown that drained would wait for it
    CompletableFuture<Integer> shutdown = CompletableFuture.supplyAsync(server::shutdown);
    assertThat(shutdown.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(server.kill()).isEqualTo(1);
  }

  @Test
  void killOfAnIdleServerCountsNothing() throws Exception {
    BulwarkServer server = blocking().vertx(vertx).build().start();
    assertThat(RawHttp.get(server.port(), "/hello").status()).isEqualTo(200);
    // idle: the exchange ends just after its answer is written, so the client can hold the answer
    // while the request still counts as in flight
    assertThat(
            TimeDriver.real(Scheduler.system())
                .passUntil(Duration.ofSeconds(10), () -> server.inFlight() == 0))
        .as("the answered request ended")
        .isTrue();
    assertThat(server.kill()).isZero();
    assertThat(server.shutdown()).isZero();
  }

  @Test
  void otherServersOnTheSharedVertxKeepServing() throws Exception {
    BulwarkServer victim = blocking().vertx(vertx).build().start();
    BulwarkServer neighbour = blocking().vertx(vertx).build().start();
    try {
      Future<String> call = rawCall(victim.port(), "/work/1");
      assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
      // a keep-alive connection to the neighbour that is open across the kill
      try (Socket kept = new Socket(InetAddress.getLoopbackAddress(), neighbour.port())) {
        kept.setSoTimeout(10_000);
        assertThat(RawHttp.statuses(exchange(kept))).containsExactly(200);

        assertThat(victim.kill()).isEqualTo(1);
        assertThat(call.get(20, TimeUnit.SECONDS)).isEmpty();

        assertThat(RawHttp.statuses(exchange(kept))).containsExactly(200);
      }
      assertThat(RawHttp.get(neighbour.port(), "/hello").status()).isEqualTo(200);
      assertThat(neighbour.isReady()).isTrue();
    } finally {
      neighbour.shutdown();
    }
  }

  @Test
  void killOfAServerThatOwnsItsVertxLeavesNoSocket() throws Exception {
    BulwarkServer server = blocking().build().start();
    int port = server.port();
    Future<String> call = rawCall(port, "/work/1");
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();

    assertThat(server.kill()).isEqualTo(1);

    assertThat(call.get(20, TimeUnit.SECONDS)).isEmpty();
    assertThat(interrupted.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> RawHttp.get(port, "/hello")).isInstanceOf(ConnectException.class);
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }

  /** One GET /hello on a kept connection; returns the answer's bytes (one answer). */
  private static String exchange(Socket socket) throws IOException {
    socket
        .getOutputStream()
        .write("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    byte[] buf = new byte[4096];
    StringBuilder got = new StringBuilder();
    while (!got.toString().endsWith("\"hello\"")) {
      int n = socket.getInputStream().read(buf);
      if (n < 0) {
        throw new IOException("closed after: " + got);
      }
      got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    }
    return got.toString();
  }
}
