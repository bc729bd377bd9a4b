package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Response;
import io.bulwark.http.health.OutlierConfig;
import io.bulwark.http.lb.Balancing;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A retry goes to an endpoint its call has not tried yet, while one is usable: a balancer that
 * would choose the same endpoint again (a hash key's owner, or round robin interleaved with other
 * calls) does not spend every attempt of a call on one failing instance.
 */
class RetryElsewhereTest {
  private final Loopback net = new Loopback();
  private final AtomicInteger healthyHits = new AtomicInteger();
  private final AtomicInteger failingHits = new AtomicInteger();

  @AfterEach
  void close() {
    net.close();
  }

  private ServiceClient client(int endpoints) {
    BulwarkServer healthy =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      healthyHits.incrementAndGet();
                      return Response.json("ok");
                    }));
    BulwarkServer failing =
        net.server(
            s ->
                s.get(
                    "/x",
                    r -> {
                      failingHits.incrementAndGet();
                      throw HttpProblem.of(503, "bad_version", "a bad deploy");
                    }));
    if (endpoints == 1) {
      net.publish("svc", failing);
    } else {
      net.publish("svc", healthy, failing);
    }
    // ejection out of the way: the retry alone must find the healthy endpoint
    OutlierConfig never =
        OutlierConfig.builder()
            .consecutiveFailures(1_000_000)
            .failureRateThreshold(1.0)
            .minimumRequests(1_000_000)
            .build();
    ClientConfig config =
        ClientConfig.builder("svc").balancing(Balancing.RING_HASH).outlier(never).build();
    return net.clients(b -> b.client("svc", config)).client("svc");
  }

  @Test
  void aRetryOfAKeyOwnedByAFailingEndpointGoesToTheOtherEndpoint() throws Exception {
    ServiceClient client = client(2);
    for (int i = 0; i < 40; i++) {
      ClientResponse r = client.send(ClientRequest.get("/x").withHashKey("key-" + i));
      assertThat(r.status()).as("key-%d", i).isEqualTo(200);
    }
    assertThat(failingHits.get())
        .as("keys owned by the failing endpoint: one attempt each, then the retry goes elsewhere")
        .isPositive()
        .isLessThan(40);
    assertThat(healthyHits).hasValue(40);
  }

  @Test
  void withOneEndpointTheRetriesStillGoToIt() throws Exception {
    ServiceClient client = client(1);
    try {
      client.send(ClientRequest.get("/x").withHashKey("key"));
    } catch (HttpCallException e) {
      assertThat(e.status()).isEqualTo(503);
    }
    assertThat(failingHits).as("every attempt of the default retry").hasValue(3);
  }
}
