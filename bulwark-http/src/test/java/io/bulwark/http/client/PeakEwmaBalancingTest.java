package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.lb.Balancing;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow endpoint gets less traffic under peak-EWMA than under round robin: two real servers on
 * 127.0.0.1, the same calls through both balancers, and the slow endpoint's share compared. The
 * clients measure latency on a virtual clock, and the slow server moves that clock on by 50 ms for
 * each request it serves (its service time) instead of sleeping. The calls run one after another,
 * so each measured latency is exactly its server's virtual service time.
 */
class PeakEwmaBalancingTest {
  private static final int CALLS = 160;
  private static final Duration SLOW_SERVICE_TIME = Duration.ofMillis(50);

  private final Loopback net = new Loopback();
  private final VirtualScheduler virtualTime = new VirtualScheduler();
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
                      virtualTime.virtualClock().advance(SLOW_SERVICE_TIME);
                      return Response.json("slow");
                    }));
    net.publish("svc", fast, slow);
    try (HttpClients clients =
        HttpClients.builder(net.discovery, virtualTime)
            .vertx(net.vertx)
            .client("rr", ClientConfig.builder("svc").balancing(Balancing.ROUND_ROBIN).build())
            .client("ewma", ClientConfig.builder("svc").balancing(Balancing.PEAK_EWMA).build())
            .decorators((n, c) -> CallDecorator.none())
            .build()) {
      double rrShare = slowShare(clients.client("rr"));
      double ewmaShare = slowShare(clients.client("ewma"));

      assertThat(rrShare).isBetween(0.4, 0.6);
      assertThat(ewmaShare).isLessThan(0.2).isLessThan(rrShare / 2);
    }
  }

  private double slowShare(ServiceClient client) throws Exception {
    fastHits.set(0);
    slowHits.set(0);
    for (int i = 0; i < CALLS; i++) {
      assertThat(client.get("/x").status()).isEqualTo(200);
    }
    int total = fastHits.get() + slowHits.get();
    assertThat(total).isEqualTo(CALLS);
    return (double) slowHits.get() / total;
  }
}
