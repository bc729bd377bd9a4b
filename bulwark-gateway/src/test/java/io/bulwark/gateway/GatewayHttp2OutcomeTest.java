package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.test.RecordingTelemetry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 stream closes as its answer ends: a proxied exchange over HTTP/2 must still end with
 * the upstream's outcome, not as a client that went away (which would count every good h2 request
 * as a failure in the route's RED metrics and circuit breaker).
 */
class GatewayHttp2OutcomeTest {
  @Test
  void aSuccessfulExchangeOverHttp2CountsAsASuccess() throws Exception {
    Vertx vertx = Vertx.vertx();
    RecordingTelemetry telemetry = new RecordingTelemetry();
    Upstream up = new Upstream(vertx, "up");
    try (Gateway gateway =
        Gateway.builder(
                EchoRoute.config(
                    up.endpoint(),
                    "circuit-breaker: {failure-rate-threshold: 0.5, minimum-calls: 2}"))
            .vertx(vertx)
            .telemetry(telemetry)
            .start()) {
      HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
      URI uri = URI.create("http://127.0.0.1:" + gateway.port("public") + "/echo");
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r =
            h2.send(
                HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString("b" + i))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("request %d", i).isEqualTo(200); // the breaker never opened
        assertThat(r.body()).isEqualTo("b" + i);
        if (i > 0) {
          assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
      }
    } finally {
      up.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    assertThat(telemetry.red())
        .filteredOn(red -> red.kind().equals("endpoint") && red.name().equals("echo"))
        .hasSize(6)
        .allSatisfy(red -> assertThat(red.outcome()).isEqualTo(Outcome.SUCCESS));
  }
}
