package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.health.HealthCheckConfig;
import io.bulwark.http.lb.Balancing;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Active health checks over real servers: probes of {@code /health/ready} run on a virtual
 * scheduler (the test decides when a round happens), go over loopback, and an endpoint whose
 * readiness drops stops receiving traffic; it gets traffic again once it is ready.
 */
class ActiveHealthCheckLoopbackTest {
  private final Loopback net = new Loopback();
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final AtomicBoolean bReady = new AtomicBoolean(true);

  @AfterEach
  void close() {
    net.close();
  }

  @Test
  void notReadyEndpointIsTakenOutOfRotationAndComesBack() throws Exception {
    BulwarkServer a = net.server(s -> s.get("/x", r -> Response.json("a")));
    BulwarkServer b = net.server(s -> s.readiness(bReady::get).get("/x", r -> Response.json("b")));
    net.publish("svc", a, b);
    // the client's health checker runs on the virtual scheduler
    HttpClients onVirtualTime =
        HttpClients.builder(net.discovery, scheduler)
            .vertx(net.vertx)
            .client("svc", clientConfig())
            .decorators((n, x) -> CallDecorator.none())
            .build();
    try {
      ServiceClient client = onVirtualTime.client("svc");
      assertThat(servedBy(client, 10)).contains("a").contains("b");

      bReady.set(false);
      probeRound(client, Loopback.endpoint(b).id(), false);
      assertThat(servedBy(client, 10)).isEqualTo("aaaaaaaaaa");

      bReady.set(true);
      probeRound(client, Loopback.endpoint(b).id(), true);
      assertThat(servedBy(client, 10)).contains("b");
    } finally {
      onVirtualTime.close();
    }
  }

  private static ClientConfig clientConfig() {
    return ClientConfig.builder("svc")
        .balancing(Balancing.ROUND_ROBIN)
        .healthCheck(
            new HealthCheckConfig(
                "/health/ready", Duration.ofSeconds(5), Duration.ofSeconds(5), 1, 2))
        .build();
  }

  /** Runs probe rounds (virtual time) until the verdict for {@code id} is {@code healthy}. */
  private void probeRound(ServiceClient client, String id, boolean healthy) throws Exception {
    io.bulwark.http.internal.ClientEngine engine = (io.bulwark.http.internal.ClientEngine) client;
    for (int round = 0; round < 10 && engine.isHealthy(id) != healthy; round++) {
      scheduler.advance(Duration.ofSeconds(5));
      engine.awaitProbes(Duration.ofSeconds(10));
    }
    assertThat(engine.isHealthy(id)).isEqualTo(healthy);
  }

  private static String servedBy(ServiceClient client, int calls) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < calls; i++) {
      sb.append(client.get("/x").json(String.class));
    }
    return sb.toString();
  }
}
