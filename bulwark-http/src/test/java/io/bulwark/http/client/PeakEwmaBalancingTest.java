package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.lb.Balancing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow endpoint gets less traffic under peak-EWMA than under round robin: two real servers, one
 * answering after 50 ms of simulated service time, the same load through both balancers, and the
 * slow endpoint's measured share compared.
 */
class PeakEwmaBalancingTest {
  private static final int CALLERS = 4;
  private static final int CALLS_EACH = 40;

  private final Loopback net = new Loopback();
  private final AtomicInteger fastHits = new AtomicInteger();
  private final AtomicInteger slowHits = new AtomicInteger();

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  void slowEndpointGetsLessTrafficUnderPeakEwmaThanRoundRobin() throws Exception {
    BulwarkServer fast =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      fastHits.incrementAndGet();
                      return Response.json("fast");
                    }));
    BulwarkServer slow =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      slowHits.incrementAndGet();
                      // simulated service time of a slow instance (not a wait for a condition)
                      CompletableFuture.runAsync(
                              () -> {},
                              CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))
                          .join();
                      return Response.json("slow");
                    }));
    net.publish("svc", fast, slow);
    HttpClients clients =
        net.clients(
            b ->
                b.client("rr", ClientConfig.builder("svc").balancing(Balancing.ROUND_ROBIN).build())
                    .client(
                        "ewma", ClientConfig.builder("svc").balancing(Balancing.PEAK_EWMA).build())
                    .decorators((n, c) -> CallDecorator.none()));

    double rrShare = slowShare(clients.client("rr"));
    double ewmaShare = slowShare(clients.client("ewma"));

    assertThat(rrShare).isBetween(0.4, 0.6);
    assertThat(ewmaShare).isLessThan(0.2).isLessThan(rrShare / 2);
  }

  private double slowShare(ServiceClient client) throws Exception {
    fastHits.set(0);
    slowHits.set(0);
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CALLERS; c++) {
        running.add(
            callers.submit(
                () -> {
                  for (int i = 0; i < CALLS_EACH; i++) {
                    assertThat(client.get("/x").status()).isEqualTo(200);
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    int total = fastHits.get() + slowHits.get();
    assertThat(total).isEqualTo(CALLERS * CALLS_EACH);
    return (double) slowHits.get() / total;
  }
}
