package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.kit.ConfigCopies;
import io.vertx.core.Vertx;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a {@link BulwarkServer.Builder} is given reaches the server: every {@link ServerConfig}
 * setting survives {@link ServerConfig#toBuilder()} (checked over every field by reflection, so a
 * new setting the copy misses fails here), a {@code drainBudget} wins over a later {@code config}
 * without losing the config's other settings, and listeners add up instead of replacing each other.
 */
class ServerSettingsTest {
  private static final ConfigCopies COPIES = ConfigCopies.using(MethodHandles.lookup());

  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
  private Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    callers.shutdownNow();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** A config with every setting away from its default. */
  private static ServerConfig everySettingChanged() {
    return ServerConfig.builder()
        .host("0.0.0.0")
        .port(18080)
        .maxBodySize(7)
        .maxHeaderSize(777)
        .maxInitialLineLength(77)
        .drainBudget(Duration.ofSeconds(7))
        .maxDeadline(Duration.ofSeconds(77))
        .defaultDeadline(Duration.ofSeconds(7))
        .retryAfter(Duration.ofSeconds(7))
        .idleTimeout(Duration.ofSeconds(7))
        .requestHeadTimeout(Duration.ofSeconds(7))
        .maxConnections(77)
        .maxConnectionsPerAddress(7)
        .tls(Path.of("server.p12"), "secret")
        .clientCa(TestWorkloads.caPem())
        .tlsReloadInterval(Duration.ofSeconds(7))
        .authorization(TestWorkloads.anyWorkload())
        .service("inventory")
        .instance("inventory-1")
        .build();
  }

  @Test
  void everyConfigFieldSurvivesToBuilder() {
    ServerConfig changed = everySettingChanged();
    COPIES.copiesEveryField(changed, ServerConfig.defaults(), changed.toBuilder().build());
    assertThat(COPIES.fieldNames(changed)).contains("maxBodySize", "drainBudget", "keyStore");
  }

  @Test
  void aDrainBudgetWinsOverALaterConfigWhichKeepsItsOtherSettings() throws Exception {
    Semaphore entered = new Semaphore(0);
    CountDownLatch never = new CountDownLatch(1);
    BulwarkServer server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .drainBudget(Duration.ofMillis(200))
            .config(
                ServerConfig.builder().maxBodySize(10).drainBudget(Duration.ofSeconds(60)).build())
            .post("/echo", r -> Response.json(r.body().length))
            .get(
                "/stuck",
                r -> {
                  entered.release();
                  if (!never.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("held until the drain gave up");
                  }
                  return Response.json("late");
                })
            .build()
            .start();
    int port = server.port();
    byte[] ten = "0123456789".getBytes(StandardCharsets.US_ASCII);
    byte[] eleven = "0123456789X".getBytes(StandardCharsets.US_ASCII);
    assertThat(RawHttp.post(port, "/echo", new String(ten, StandardCharsets.US_ASCII)).body())
        .isEqualTo("10");
    ServerBasicsTest.assertError(
        RawHttp.post(port, "/echo", new String(eleven, StandardCharsets.US_ASCII)),
        413,
        "body_too_large");

    Future<RawHttp.Reply> stuck = callers.submit(() -> RawHttp.get(port, "/stuck"));
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    // a 60 s budget would outlast this wait; the builder's 200 ms does not
    CompletableFuture<Integer> shutdown = CompletableFuture.supplyAsync(server::shutdown, callers);
    assertThat(shutdown.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    stuck.cancel(true);
  }

  @Test
  void listenersAddUpAndNoneDropsOnlyTheDefaultAccessLog() throws Exception {
    BlockingQueue<AccessLogEntry> first = new LinkedBlockingQueue<>();
    BlockingQueue<AccessLogEntry> second = new LinkedBlockingQueue<>();
    BulwarkServer.Builder builder =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .listener(collectInto(first))
            .get("/hello", r -> Response.json("hello"));
    // a factory further on adds its own listener and turns the access log off
    builder.listener(ServerListener.none()).listener(collectInto(second));
    BulwarkServer server = builder.build().start();
    try {
      RawHttp.get(server.port(), "/hello", "bulwark-correlation-id: both-1");
      AccessLogEntry a =
          ServerBasicsTest.awaitEntry(first, e -> "both-1".equals(e.correlationId()));
      AccessLogEntry b =
          ServerBasicsTest.awaitEntry(second, e -> "both-1".equals(e.correlationId()));
      assertThat(a).isEqualTo(b);
      assertThat(a.outcome()).isEqualTo(RequestOutcome.OK);
    } finally {
      server.shutdown();
    }
  }

  @Test
  void badBuilderInputIsRefusedNamingIt() {
    assertThatThrownBy(() -> BulwarkServer.builder().drainBudget(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("drainBudget")
        .hasMessageContaining("-1");
    assertThat(Arrays.stream(RequestOutcome.values()).map(RequestOutcome::label))
        .containsExactly("ok", "error", "shed", "deadline", "rejected");
  }

  private static ServerListener collectInto(BlockingQueue<AccessLogEntry> into) {
    return new ServerListener() {
      @Override
      public void onRequest(AccessLogEntry entry) {
        into.add(entry);
      }
    };
  }
}
