package io.bulwark.http;

import static io.bulwark.http.ServerBasicsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request head must be complete {@code requestHeadTimeout} after its first byte, however steadily
 * it trickles in (slow-header attacks), while idle keep-alive connections are left to the idle
 * timeout. The head timer runs on a virtual scheduler; the idle timeout (real time, 60 s) is far
 * beyond every test, so any close seen here is the head timeout's. Each test waits for the server's
 * EOF with a generous bound, never a sleep.
 */
class RequestHeadTimeoutTest {
  static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);
  static final String PARTIAL = "GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: a";
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final List<Socket> sockets = new ArrayList<>();
  private Vertx vertx;
  private BulwarkServer server;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .scheduler(scheduler)
            .listener(new ServerListener() {})
            .config(ServerConfig.builder().requestHeadTimeout(HEAD_TIMEOUT).build())
            .get("/ok", r -> Response.text(200, "ok"))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    server.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    sockets.add(s);
    s.setSoTimeout(20_000);
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  /** Waits (bounded) until the server has armed {@code n} head timers. */
  private void awaitHeadTimers(int n) {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (scheduler.pendingTasks() < n) {
      assertThat(System.nanoTime())
          .as("%s head timers armed, %s seen", n, scheduler.pendingTasks())
          .isLessThan(end);
      Thread.onSpinWait();
    }
    assertThat(scheduler.pendingTasks()).isEqualTo(n);
  }

  /** Reads one plain-text "ok" answer, leaving the connection open. */
  private static String readOk(Socket s) throws IOException {
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

  private static void assertHeadTimeoutAnswer(String text) throws IOException {
    assertThat(text).startsWith("HTTP/1.1 408 Request Timeout\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(408);
    RawHttp.Reply r = RawHttp.parse(text);
    assertError(r, 408, "request_head_timeout");
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":408,\"error\":\"request_head_timeout\",\"message\":\"request head not"
                + " complete within requestHeadTimeout 10000ms\",\"correlationId\":\""
                + r.header("bulwark-correlation-id")
                + "\"}");
  }

  @Test
  void threeHundredTricklingHeadsAreClosedAtTheHeadTimeout() throws Exception {
    for (int i = 0; i < 300; i++) {
      write(connect(), PARTIAL);
    }
    awaitHeadTimers(300);
    scheduler.advance(HEAD_TIMEOUT.dividedBy(2));
    // one more byte each, well within any idle timeout: it must not restart the head's clock
    for (Socket s : sockets) {
      write(s, "b");
    }
    Socket control = connect();
    write(control, "GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
    assertThat(readOk(control)).startsWith("HTTP/1.1 200");
    sockets.remove(control);
    control.close();
    scheduler.advance(HEAD_TIMEOUT.dividedBy(2));
    for (Socket s : sockets) {
      assertHeadTimeoutAnswer(RawHttp.readToEof(s.getInputStream()));
    }
  }

  @Test
  void aHeadCompletedJustBeforeTheTimeoutIsServedAndIdleKeepAliveIsNotAHead() throws Exception {
    for (int i = 0; i < 50; i++) {
      write(connect(), PARTIAL);
    }
    awaitHeadTimers(50);
    scheduler.advance(HEAD_TIMEOUT.minusMillis(1));
    for (Socket s : sockets) {
      write(s, "\r\n\r\n"); // the heads complete 1 ms before their deadline
    }
    for (Socket s : sockets) {
      assertThat(readOk(s)).startsWith("HTTP/1.1 200");
    }
    assertThat(scheduler.pendingTasks()).isZero();
    // idle keep-alive for six head timeouts: no head is in progress, so nothing closes
    scheduler.advance(HEAD_TIMEOUT.multipliedBy(6));
    for (Socket s : sockets) {
      write(s, "GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
      assertThat(readOk(s)).startsWith("HTTP/1.1 200");
    }
    // the next head starts a fresh clock
    for (Socket s : sockets) {
      write(s, PARTIAL);
    }
    awaitHeadTimers(50);
    scheduler.advance(HEAD_TIMEOUT);
    for (Socket s : sockets) {
      assertHeadTimeoutAnswer(RawHttp.readToEof(s.getInputStream()));
    }
  }

  @Test
  void theHeadTimeoutBindsFromYamlAndABadValueIsNamed(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("server.yaml");
    Files.writeString(yaml, "request-head-timeout: 3s\n");
    ServerConfig c = ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind);
    assertThat(c.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.toBuilder().build().requestHeadTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(ServerConfig.defaults().requestHeadTimeout()).isEqualTo(Duration.ofSeconds(10));
    Files.writeString(yaml, "request-head-timeout: 0s\n");
    assertThatThrownBy(() -> ConfigLoader.withSystemEnv().load(yaml, ServerConfig::bind))
        .hasMessageContaining("server.yaml")
        .hasMessageContaining("requestHeadTimeout must be at least 1ms, was PT0S");
    assertThatThrownBy(() -> ServerConfig.builder().requestHeadTimeout(Duration.ofNanos(999)))
        .hasMessageContaining("requestHeadTimeout must be at least 1ms, was PT0.000000999S");
  }

  @Test
  void completedHeadsLeaveNoTimerBehind() throws Exception {
    Socket s = connect();
    for (int i = 0; i < 20; i++) {
      write(s, "GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
      assertThat(readOk(s)).startsWith("HTTP/1.1 200");
    }
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void anH2cUpgradeHeadIsTimedLikeAnyHeadAndAnUpgradedConnectionIsNot() throws Exception {
    String upgrade =
        "GET /ok HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade, HTTP2-Settings\r\n"
            + "upgrade: h2c\r\nhttp2-settings: "
            + H2cUpgradeTest.SETTINGS;
    Socket trickling = connect();
    write(trickling, upgrade.substring(0, 60));
    awaitHeadTimers(1);
    scheduler.advance(HEAD_TIMEOUT.dividedBy(2));
    write(trickling, upgrade.substring(60));
    Socket upgraded = connect();
    write(upgraded, upgrade + "\r\n\r\n");
    DataInputStream in = new DataInputStream(upgraded.getInputStream());
    assertThat(H2cUpgradeTest.readHead(in)).startsWith("HTTP/1.1 101 ");
    upgraded.getOutputStream().write(H2cUpgradeTest.PREFACE);
    assertThat(new String(H2cUpgradeTest.readStreamOne(in), StandardCharsets.ISO_8859_1))
        .isEqualTo("ok");
    assertThat(scheduler.pendingTasks()).as("only the trickling head is timed").isEqualTo(1);
    scheduler.advance(HEAD_TIMEOUT.dividedBy(2));
    assertHeadTimeoutAnswer(RawHttp.readToEof(trickling.getInputStream()));
  }
}
