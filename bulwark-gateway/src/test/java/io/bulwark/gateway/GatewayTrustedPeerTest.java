package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forwarding headers of a client the listener trusts are extended, those of any other client
 * replaced: the same request through a listener that trusts loopback and one that trusts nothing.
 */
class GatewayTrustedPeerTest {
  static Vertx vertx;
  static Upstream up;
  static Gateway gateway;
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    up = new Upstream(vertx, "up");
    String yaml =
        """
        listeners:
          trusting:
            port: 0
            trusted-proxies: [127.0.0.0/8]
          plain:
            port: 0
        clusters:
          up:
            endpoints: [%s]
            egress-allow: [loopback]
        routes:
          all:
            match: {path-prefix: /}
            cluster: up
        admin:
          port: 0
        """
            .formatted(up.endpoint());
    GatewayConfig config =
        ConfigLoader.withEnv(Map.of()).parse(yaml, "trusted.yaml", GatewayConfig::bind);
    gateway = Gateway.builder(config).vertx(vertx).start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void aTrustedPeersForwardingHeadersAreExtendedAndAnUntrustedPeersReplaced() throws Exception {
    Upstream.Seen trusted = send("trusting", "/t");
    assertThat(trusted.headers().get("x-forwarded-for")).isEqualTo("6.6.6.6, 127.0.0.1");
    assertThat(trusted.headers().get("x-forwarded-proto")).isEqualTo("https");
    assertThat(trusted.headers().get("bulwark-criticality")).isEqualTo("critical_plus");

    Upstream.Seen plain = send("plain", "/p");
    assertThat(plain.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(plain.headers().get("x-forwarded-proto")).isEqualTo("http");
    assertThat(plain.headers().names()).doesNotContain("bulwark-criticality");
  }

  private static Upstream.Seen send(String listener, String path) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port(listener) + path))
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Forwarded-Proto", "https")
                .header("Bulwark-Criticality", "critical_plus")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return up.seen.stream().filter(s -> s.uri().equals(path)).reduce((x, y) -> y).orElseThrow();
  }
}
