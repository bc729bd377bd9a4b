package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stalled connections cannot pile up: half-sent request heads and idle keep-alive connections are
 * closed by the idle timeout, and connections beyond the global and per-address limits are refused
 * with 503 and closed. Socket timeouts run on real time (Vert.x offers no clock hook for them):
 * short timeouts, and each test waits for the server's EOF with a generous bound, never a sleep.
 */
class ConnectionLimitsTest {
  static final String GET = "GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
  private final List<Socket> sockets = new ArrayList<>();
  private Vertx vertx;
  private BulwarkServer server;

  private void start(UnaryOperator<ServerConfig.Builder> config) {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .listener(new ServerListener() {})
            .config(config.apply(ServerConfig.builder()).build())
            .get("/ok", r -> Response.text(200, "ok"))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.shutdown();
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private Socket connect(String from) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    s.setSoTimeout(20_000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  /** Reads one plain-text "ok" answer, leaving the connection open. */
  private static String readAnswer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder text = new StringBuilder();
    while (!text.toString().endsWith("\r\n\r\nok")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before a whole answer: " + text);
      }
      text.append((char) b);
    }
    return text.toString();
  }

  @Test
  void stalledHalfSentRequestHeadsAreClosedAfterTheIdleTimeout() throws Exception {
    start(c -> c.idleTimeout(Duration.ofSeconds(1)));
    for (int i = 0; i < 300; i++) {
      write(connect("127.0.0.1"), "GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ");
    }
    for (Socket s : sockets) {
      assertThat(RawHttp.readToEof(s.getInputStream())).isEmpty();
    }
  }

  @Test
  void idleKeepAliveConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    start(c -> c.idleTimeout(Duration.ofSeconds(1)));
    for (int i = 0; i < 300; i++) {
      Socket s = connect("127.0.0.1");
      write(s, GET);
      assertThat(readAnswer(s)).startsWith("HTTP/1.1 200");
    }
    for (Socket s : sockets) {
      assertThat(RawHttp.readToEof(s.getInputStream())).isEmpty();
    }
  }

  /** Sends a request on a new connection from {@code from} and reads to EOF or one answer. */
  private String request(String from) throws IOException {
    Socket s = connect(from);
    write(s, GET);
    return readAnswerOrEof(s);
  }

  private static String readAnswerOrEof(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder text = new StringBuilder();
    for (int b; !text.toString().endsWith("\r\n\r\nok") && (b = in.read()) >= 0; ) {
      text.append((char) b);
    }
    return text.toString();
  }

  @Test
  void connectionsBeyondThePerAddressLimitGet503AndCloseOthersStillServed() throws Exception {
    start(c -> c.maxConnectionsPerAddress(3));
    List<Socket> admitted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Socket s = connect("127.0.0.1");
      write(s, GET);
      readAnswer(s);
      admitted.add(s);
    }
    for (int i = 0; i < 20; i++) {
      String refused = request("127.0.0.1");
      assertThat(RawHttp.statuses(refused)).containsExactly(503);
      ServerBasicsTest.assertError(RawHttp.parse(refused), 503, "too_many_connections");
      assertThat(refused).contains("maxConnectionsPerAddress is 3").contains("127.0.0.1");
    }
    assertThat(RawHttp.statuses(request("127.0.0.2"))).containsExactly(200);
    for (Socket s : admitted) {
      write(s, GET);
      assertThat(readAnswer(s)).startsWith("HTTP/1.1 200");
    }
    // a freed slot is usable again once the server has seen the close
    admitted.get(0).close();
    int attempts = 0;
    while (RawHttp.statuses(request("127.0.0.1")).equals(List.of(503))) {
      assertThat(++attempts).as("a slot frees after a close").isLessThan(1000);
    }
  }

  @Test
  void connectionsAreCountedAtAcceptAndOneBeyondIsRefusedBeforeSendingAByte() throws Exception {
    start(c -> c.maxConnectionsPerAddress(3));
    List<Socket> silent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      silent.add(connect("127.0.0.1")); // connected, never a byte sent
    }
    for (int i = 0; i < 5; i++) {
      Socket beyond = connect("127.0.0.1");
      String refused = RawHttp.readToEof(beyond.getInputStream());
      assertThat(RawHttp.statuses(refused)).containsExactly(503);
      RawHttp.Reply r = RawHttp.parse(refused);
      ServerBasicsTest.assertError(r, 503, "too_many_connections");
      assertThat(r.header("retry-after")).isEqualTo("1");
      assertThat(r.header("connection")).isEqualTo("close");
      // refused connections still count until they are closed
      assertThat(r.body())
          .containsPattern(
              "[4-8] open connections from 127\\.0\\.0\\.1, maxConnectionsPerAddress is 3");
      beyond.close();
    }
    for (Socket s : silent) {
      write(s, GET);
      assertThat(readAnswer(s)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void connectionsBeyondTheGlobalLimitGet503() throws Exception {
    start(c -> c.maxConnections(10).maxConnectionsPerAddress(10));
    for (int i = 0; i < 10; i++) {
      Socket s = connect(i % 2 == 0 ? "127.0.0.1" : "127.0.0.2");
      write(s, GET);
      readAnswer(s);
    }
    for (int i = 0; i < 20; i++) {
      String refused = request("127.0.0.3");
      assertThat(RawHttp.statuses(refused)).containsExactly(503);
      assertThat(refused).contains("maxConnections is 10");
    }
  }

  @Test
  void limitsBindFromYamlAndBadValuesAreNamed(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("server.yaml");
    Files.writeString(
        yaml, "idle-timeout: 30s\nmax-connections: 500\nmax-connections-per-address: 50\n");
    ServerConfig c = ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind);
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxConnections()).isEqualTo(500);
    assertThat(c.maxConnectionsPerAddress()).isEqualTo(50);
    assertThat(c.toBuilder().build().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.toBuilder().build().maxConnectionsPerAddress()).isEqualTo(50);
    assertThat(BulwarkServer.builder().config(c).drainBudget(Duration.ofSeconds(1)).build().port())
        .isEqualTo(-1);

    Files.writeString(yaml, "idle-timeout: 0s\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> ServerConfig.builder().idleTimeout(Duration.ZERO))
        .hasMessageContaining("idleTimeout")
        .hasMessageContaining("PT0S");
    Files.writeString(yaml, "max-connections: 0\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("maxConnections must be at least 1, was 0");
    assertThatThrownBy(
            () -> ServerConfig.builder().maxConnections(10).maxConnectionsPerAddress(11).build())
        .hasMessageContaining("maxConnectionsPerAddress 11")
        .hasMessageContaining("maxConnections 10");
    assertThatThrownBy(() -> ServerConfig.builder().idleTimeout(Duration.ofNanos(5)))
        .hasMessageContaining("idleTimeout")
        .hasMessageContaining("PT0.000000005S");
  }
}
