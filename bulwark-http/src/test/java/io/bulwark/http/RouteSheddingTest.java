package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Criticality;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Load shedding per route, over real HTTP: a route's own admission sheds that route's requests (by
 * criticality) while other routes and the server-wide admission are untouched; a route permit is
 * given back when the server-wide admission refuses the request; both permits are back once a
 * request ends. Requests are held inside the handler with latches, never timed.
 */
class RouteSheddingTest {
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
            .listener(ServerListener.none())
            .get("/reports", this::held)
            .get("/orders/{id}", this::held);
    shedding.accept(b);
    server = b.build().start();
  }

  private Response held(Request r) throws InterruptedException {
    entered.release();
    if (!release.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("never released");
    }
    return Response.json("done");
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
  void aRouteOverItsOwnLimitIsShedWhileOtherRoutesAreServed() throws Exception {
    // limit 2: SHEDDABLE may hold 1 of the route, CRITICAL_PLUS both
    start(b -> b.admission("GET", "/reports", Admission.byCriticality(2)));
    List<Future<RawHttp.Reply>> held = new ArrayList<>();
    held.add(hold("/reports", "SHEDDABLE"));
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();

    RawHttp.Reply shed = call("/reports", "SHEDDABLE");
    ServerBasicsTest.assertError(shed, 503, "overloaded");
    assertThat(shed.body()).contains("route GET /reports is overloaded").contains("SHEDDABLE");
    assertThat(shed.header("retry-after")).isEqualTo("1");

    held.add(hold("/orders/1", "SHEDDABLE"));
    held.add(hold("/orders/2", "SHEDDABLE"));
    held.add(hold("/reports", "CRITICAL_PLUS"));
    assertThat(entered.tryAcquire(3, 10, TimeUnit.SECONDS)).isTrue();
    ServerBasicsTest.assertError(call("/reports", "CRITICAL_PLUS"), 503, "overloaded");

    release.countDown();
    for (Future<RawHttp.Reply> f : held) {
      assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(call("/reports", "SHEDDABLE").status()).isEqualTo(200);
  }

  @Test
  void aTemplatedRouteHasItsOwnLimitToo() throws Exception {
    start(b -> b.admission("get", "/orders/{id}", Admission.byCriticality(2)));
    Future<RawHttp.Reply> first = hold("/orders/1", "SHEDDABLE");
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    ServerBasicsTest.assertError(call("/orders/2", "SHEDDABLE"), 503, "overloaded");
    Future<RawHttp.Reply> other = hold("/reports", "SHEDDABLE");
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(other.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void theServerWideAdmissionStillAppliesAndARefusedRequestGivesItsRoutePermitBack()
      throws Exception {
    Counting route = new Counting(Admission.byCriticality(100));
    // server-wide limit 2: SHEDDABLE may hold 1 in all
    start(b -> b.admission(Admission.byCriticality(2)).admission("GET", "/reports", route));
    Future<RawHttp.Reply> held = hold("/orders/1", "SHEDDABLE");
    assertThat(entered.tryAcquire(1, 10, TimeUnit.SECONDS)).isTrue();

    RawHttp.Reply shed = call("/reports", "SHEDDABLE");
    ServerBasicsTest.assertError(shed, 503, "overloaded");
    assertThat(shed.body()).contains("server is overloaded");
    assertThat(route.acquired.get()).isEqualTo(1);
    assertThat(route.released.get()).isEqualTo(1);

    release.countDown();
    assertThat(held.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(call("/reports", "SHEDDABLE").status()).isEqualTo(200);
    assertThat(route.acquired.get()).isEqualTo(2);
    assertThat(route.released.get()).isEqualTo(2);
  }

  @Test
  void aRouteRefusalLeavesTheServerWidePermitUntaken() throws Exception {
    Counting serverWide = new Counting(Admission.unlimited());
    start(
        b ->
            b.admission(serverWide)
                .admission("GET", "/reports", criticality -> null)); // refuses everything
    ServerBasicsTest.assertError(call("/reports", "CRITICAL_PLUS"), 503, "overloaded");
    assertThat(serverWide.acquired.get()).isZero();
    release.countDown();
    assertThat(call("/orders/1", "SHEDDABLE").status()).isEqualTo(200);
    assertThat(serverWide.acquired.get()).isEqualTo(1);
  }

  @Test
  void anAdmissionForARouteThatIsNotRoutedIsRefusedNamingIt() {
    vertx = Vertx.vertx();
    BulwarkServer.Builder b =
        BulwarkServer.builder()
            .vertx(vertx)
            .get("/reports", r -> Response.json("x"))
            .admission("POST", "/reports", Admission.byCriticality(2));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("POST /reports")
        .hasMessageContaining("not routed");
  }

  /** Counts the permits an admission gave and got back. */
  private static final class Counting implements Admission {
    final AtomicInteger acquired = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();
    private final Admission inner;

    Counting(Admission inner) {
      this.inner = inner;
    }

    @Override
    public @Nullable Permit tryAcquire(Criticality criticality) {
      Permit p = inner.tryAcquire(criticality);
      if (p == null) {
        return null;
      }
      acquired.incrementAndGet();
      return dropped -> {
        released.incrementAndGet();
        p.release(dropped);
      };
    }
  }

  private Future<RawHttp.Reply> hold(String path, String criticality) {
    return callers.submit(() -> call(path, criticality));
  }

  private RawHttp.Reply call(String path, String criticality) throws Exception {
    return RawHttp.get(server.port(), path, "bulwark-criticality: " + criticality);
  }
}
