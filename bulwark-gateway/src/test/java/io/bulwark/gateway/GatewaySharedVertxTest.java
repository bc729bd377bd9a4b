package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Gateway listeners and Bulwark servers with {@code port: 0} in one Vert.x instance (as in a
 * runtime running a gateway next to its services) each get a port of their own: none answers
 * another's requests. Vert.x shares a random port between servers listening on the same negative
 * value, so a value picked twice would split one port's connections between a service and the
 * gateway.
 */
class GatewaySharedVertxTest {
  @Test
  void gatewayListenersAndServersInOneVertxNeverShareARandomPort() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<BulwarkServer> servers = new ArrayList<>();
    List<Gateway> gateways = new ArrayList<>();
    AtomicInteger served = new AtomicInteger();
    try {
      // alternate the two kinds, as a runtime starting services and a gateway would
      for (int i = 0; i < 3; i++) {
        servers.add(
            BulwarkServer.builder()
                .vertx(vertx)
                .eventLoops(2)
                .config(ServerConfig.builder().service("svc").instance("svc-" + i).build())
                .get(
                    "/who",
                    r -> {
                      served.incrementAndGet();
                      return Response.text(200, "server");
                    })
                .build()
                .start());
        String yaml =
            """
            listeners:
              public: {port: 0}
            admin: {port: 0}
            clusters:
              svc:
                endpoints: [127.0.0.1:%d]
                egress-allow: [loopback]
            routes:
              who:
                match: {path-prefix: /who}
                cluster: svc
                response-headers: {set: {x-via: gateway-%d}}
            """
                .formatted(servers.get(i).port(), i);
        gateways.add(
            Gateway.builder(
                    ConfigLoader.withEnv(Map.of()).parse(yaml, "gateway.yaml", GatewayConfig::bind))
                .vertx(vertx)
                .eventLoops(2)
                .start());
      }
      var ports = new HashSet<Integer>();
      servers.forEach(s -> ports.add(s.port()));
      gateways.forEach(g -> ports.add(g.port("public")));
      assertThat(ports).as("six listeners, six ports").hasSize(6);

      for (int i = 0; i < gateways.size(); i++) {
        for (int n = 0; n < 10; n++) {
          // a new client (a new connection) each time, so that a shared port would show
          HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          HttpResponse<String> r =
              client.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + gateways.get(i).port("public") + "/who"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.body()).isEqualTo("server");
          assertThat(r.headers().firstValue("x-via"))
              .as("answered through the gateway")
              .hasValue("gateway-" + i);
        }
      }
      assertThat(served).hasValue(30);
    } finally {
      for (Gateway g : gateways) {
        g.close();
      }
      for (BulwarkServer s : servers) {
        s.shutdown();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
