package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own Vert.x runs on Netty's native epoll transport where it loads (Linux x86-64, the
 * file shipped with the gateway), on NIO when asked; both proxy the same bytes through the
 * gateway's own upstream pool, whose channels must match the event loops' transport.
 */
class GatewayTransportTest {
  static Vertx upstreamVertx;
  static Upstream upstream;
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstreamVertx = Vertx.vertx();
    upstream = new Upstream(upstreamVertx, "up");
  }

  @AfterAll
  static void stop() throws Exception {
    upstream.close();
    upstreamVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static GatewayConfig config() {
    return GatewayProxyTest.parse(
        """
        listeners:
          public: {port: 0}
        clusters:
          up:
            endpoints: [%s]
            egress-allow: [loopback]
            pool-size: 2
        routes:
          all:
            match: {path-prefix: /}
            cluster: up
        admin: {port: 0}
        """
            .formatted(upstream.endpoint()));
  }

  @Test
  void onLinuxX8664TheDefaultIsTheNativeTransportAndItProxies() throws Exception {
    assumeTrue(
        System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            && System.getProperty("os.arch").equals("amd64"),
        "the native epoll file shipped is for Linux x86-64 only");
    try (Gateway gateway = Gateway.builder(config()).start()) {
      assertThat(gateway.transport()).isEqualTo("epoll");
      proxiesAlike(gateway.port("public"));
    }
  }

  @Test
  void nioWhenTheNativeTransportIsNotWantedAndItProxiesTheSame() throws Exception {
    try (Gateway gateway = Gateway.builder(config()).nativeTransport(false).start()) {
      assertThat(gateway.transport()).isEqualTo("nio");
      proxiesAlike(gateway.port("public"));
    }
  }

  @Test
  void aGivenVertxKeepsItsOwnTransport() throws Exception {
    Vertx nio = Vertx.vertx(); // the default options: NIO
    try (Gateway gateway = Gateway.builder(config()).vertx(nio).start()) {
      assertThat(gateway.transport()).isEqualTo("nio");
      proxiesAlike(gateway.port("public"));
    } finally {
      nio.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A GET and a 256 KB streamed echo, several times over the pool's two connections. */
  static void proxiesAlike(int port) throws Exception {
    byte[] body = new byte[256 * 1024];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31 + (i >> 8));
    }
    for (int round = 0; round < 5; round++) {
      HttpResponse<String> get =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/items/" + round))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo("up /items/" + round);
      HttpResponse<byte[]> echo =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/echo"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(echo.statusCode()).isEqualTo(200);
      assertThat(Arrays.equals(echo.body(), body)).as("the echoed body, byte for byte").isTrue();
    }
  }
}
