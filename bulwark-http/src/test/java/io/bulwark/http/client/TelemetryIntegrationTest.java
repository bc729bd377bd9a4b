package io.bulwark.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.http.BulwarkServer;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.RawHttp;
import io.bulwark.http.Response;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.RedSnapshot;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server mounts bulwark-telemetry's Prometheus scrape and both sides record RED metrics. */
class TelemetryIntegrationTest {
  private final Loopback net = new Loopback();
  private final BulwarkTelemetry telemetry = BulwarkTelemetry.builder().serviceName("shop").build();

  private final java.util.concurrent.CountDownLatch answered =
      new java.util.concurrent.CountDownLatch(4);

  @AfterEach
  void close() {
    net.close();
    telemetry.close();
  }

  private static long total(List<RedSnapshot> snapshots, String name) {
    return snapshots.stream()
        .filter(s -> s.name().equals(name))
        .mapToLong(RedSnapshot::total)
        .sum();
  }

  @Test
  void metricsEndpointServesRedOfRoutesAndClients() throws Exception {
    BulwarkServer server =
        net.server(
            s ->
                s.telemetry(telemetry)
                    .listener(
                        new io.bulwark.http.ServerListener() {
                          @Override
                          public void onRequest(io.bulwark.http.AccessLogEntry entry) {
                            answered.countDown();
                          }
                        })
                    .get("/orders/{id}", r -> Response.json(r.pathParam("id")))
                    .get(
                        "/broken",
                        r -> {
                          throw HttpProblem.of(503, "down", "down");
                        }));
    net.publish("orders", server);
    HttpClients clients =
        net.clients(
            b ->
                b.telemetry(telemetry)
                    .client("orders", ClientConfig.builder("orders").build())
                    .decorators((n, c) -> CallDecorator.none()));
    for (int i = 0; i < 3; i++) {
      clients.client("orders").get("/orders/" + i);
    }
    assertThatThrownBy(() -> clients.client("orders").get("/broken"))
        .isInstanceOf(HttpCallException.class);

    // server-side metrics are recorded when each request's work ends, just after its answer
    assertThat(answered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    RawHttp.Reply scrape = RawHttp.get(server.port(), "/metrics");
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.header("content-type")).startsWith("text/plain");
    assertThat(scrape.body()).contains("GET /orders/{id}");

    List<RedSnapshot> endpoints = telemetry.redSnapshots("endpoint");
    assertThat(total(endpoints, "GET /orders/{id}")).isEqualTo(3);
    assertThat(total(endpoints, "GET /broken")).isEqualTo(1);
    assertThat(total(telemetry.redSnapshots("dependency"), "orders")).isEqualTo(4);
  }
}
