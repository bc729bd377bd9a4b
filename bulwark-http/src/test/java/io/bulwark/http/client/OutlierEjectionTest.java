package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.internal.ClientEngine;
import io.bulwark.http.lb.Balancing;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An endpoint that starts failing is ejected and traffic moves, within a bounded number of calls.
 */
class OutlierEjectionTest {
  private final Loopback net = new Loopback();
  private final AtomicInteger healthyHits = new AtomicInteger();
  private final AtomicInteger sickHits = new AtomicInteger();
  private final AtomicBoolean sick = new AtomicBoolean();
  private BulwarkServer healthy;
  private BulwarkServer failing;

  @AfterEach
  void close() {
    net.close();
  }

  private HttpClients start(boolean withPipeline) {
    healthy =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      healthyHits.incrementAndGet();
                      return Response.json("ok");
                    }));
    failing =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      sickHits.incrementAndGet();
                      if (sick.get()) {
                        throw HttpProblem.of(500, "broken", "bad deploy");
                      }
                      return Response.json("ok");
                    }));
    net.publish("svc", healthy, failing);
    ClientConfig config =
        ClientConfig.builder("svc")
            .balancing(Balancing.ROUND_ROBIN)
            .outlier(
                OutlierConfig.builder()
                    .consecutiveFailures(3)
                    .baseEjection(Duration.ofMinutes(5))
                    .maxEjection(Duration.ofMinutes(10))
                    .build())
            .build();
    return net.clients(
        b -> {
          b.client("svc", config);
          if (!withPipeline) {
            b.decorators((name, c) -> CallDecorator.none());
          }
        });
  }

  @Test
  void failingEndpointIsEjectedWithinThreeFailures() throws Exception {
    HttpClients clients = start(false);
    ServiceClient client = clients.client("svc");
    for (int i = 0; i < 10; i++) {
      assertThat(client.get("/x").status()).isEqualTo(200);
    }
    assertThat(healthyHits).hasValue(5);
    assertThat(sickHits).hasValue(5);

    sick.set(true);
    int sickBefore = sickHits.get();
    int failures = 0;
    for (int i = 0; i < 30; i++) {
      try {
        client.get("/x");
      } catch (HttpCallException e) {
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.isRetriable()).isTrue();
        failures++;
      }
    }
    assertThat(sickHits.get() - sickBefore).isEqualTo(3);
    assertThat(failures).isEqualTo(3);
    assertThat(((ClientEngine) client).ejections(Loopback.endpoint(failing).id())).isEqualTo(1);
  }

  @Test
  void withTheResiliencePipelineRetriesMoveFailedCallsToTheHealthyEndpoint() throws Exception {
    HttpClients clients = start(true);
    ServiceClient client = clients.client("svc");
    sick.set(true);
    for (int i = 0; i < 20; i++) {
      ClientResponse r = client.get("/x");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.endpointId()).isEqualTo(Loopback.endpoint(healthy).id());
    }
    assertThat(sickHits.get()).isLessThanOrEqualTo(3);
  }

  @Test
  void noEndpointIsARetriableCallFailure() {
    HttpClients clients =
        net.clients(
            b ->
                b.client("ghost", ClientConfig.builder("ghost").build())
                    .decorators((n, c) -> CallDecorator.none()));
    assertThatThrownBy(() -> clients.client("ghost").get("/x"))
        .isInstanceOf(HttpCallException.class)
        .hasMessageContaining("no endpoint of service ghost");
  }
}
