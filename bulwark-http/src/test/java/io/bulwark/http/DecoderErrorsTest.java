package io.bulwark.http;

import static io.bulwark.http.ServerBasicsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests the HTTP decoder refuses, sent as hostile bytes over a raw socket: each gets the answer
 * its kind of failure calls for (by the decoder's exception type), as JSON with a correlation id,
 * the connection closes, the access log says {@code rejected}, and the server goes on serving.
 * Limits are small (request line 128 bytes, header block 512) so that the boundary is exact.
 */
class DecoderErrorsTest {
  private static final int LINE_LIMIT = 128;
  private static final int HEADER_LIMIT = 512;
  private static final BlockingQueue<AccessLogEntry> entries = new LinkedBlockingQueue<>();
  private static Vertx vertx;
  private static BulwarkServer server;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .config(
                ServerConfig.builder()
                    .maxInitialLineLength(LINE_LIMIT)
                    .maxHeaderSize(HEADER_LIMIT)
                    .build())
            .listener(
                new ServerListener() {
                  @Override
                  public void onRequest(AccessLogEntry entry) {
                    entries.add(entry);
                  }
                })
            .get("/{anything}", r -> Response.json("served"))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void aRequestLineOverTheLimitGets414AndClose() throws Exception {
    String line = "GET /" + "a".repeat(LINE_LIMIT) + " HTTP/1.1";
    RawHttp.Reply r = refused(line + "\r\nhost: 127.0.0.1\r\n\r\n");
    assertError(r, 414, "request_line_too_long");
    assertThat(r.body()).contains("limit of " + LINE_LIMIT + " bytes");
    assertRejectedInTheLog(414);
  }

  @Test
  void aRequestLineJustUnderTheLimitIsServed() throws Exception {
    // "GET " and " HTTP/1.1" are 13 bytes: a request line of LINE_LIMIT - 1 bytes
    String path = "/" + "a".repeat(LINE_LIMIT - 15);
    assertThat(RawHttp.get(server.port(), path).status()).isEqualTo(200);
  }

  @Test
  void oneHeaderOverTheBlockLimitGets431AndClose() throws Exception {
    RawHttp.Reply r =
        refused(
            "GET /x HTTP/1.1\r\nhost: 127.0.0.1\r\nx-big: "
                + "y".repeat(HEADER_LIMIT)
                + "\r\n\r\n");
    assertError(r, 431, "headers_too_large");
    assertThat(r.body()).contains("limit of " + HEADER_LIMIT + " bytes");
    assertRejectedInTheLog(431);
  }

  @Test
  void manySmallHeadersOverTheBlockLimitGet431() throws Exception {
    StringBuilder head = new StringBuilder("GET /x HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    for (int i = 0; i < HEADER_LIMIT / 4; i++) {
      head.append("x-h").append(i).append(": v\r\n");
    }
    assertError(refused(head + "\r\n"), 431, "headers_too_large");
  }

  @Test
  void binaryGarbageGets400AndClose() throws Exception {
    RawHttp.Reply r = refused("\u0000\u0001\u0002\u0003 \u00ff\u00fe\r\n\r\n");
    assertError(r, 400, "malformed_request");
    assertRejectedInTheLog(400);
  }

  @Test
  void theServerKeepsServingAfterEachRefusal() throws Exception {
    assertThat(refused("GET /" + "a".repeat(LINE_LIMIT * 4) + " HTTP/1.1\r\n\r\n").status())
        .isEqualTo(414);
    assertThat(refused("\u0000\u0001 garbage\r\n\r\n").status()).isEqualTo(400);
    assertThat(RawHttp.get(server.port(), "/after").body()).isEqualTo("\"served\"");
  }

  /** Sends {@code raw} as is; the server must answer once and close the connection. */
  private static RawHttp.Reply refused(String raw) throws Exception {
    String text = RawHttp.untilClosed(server.port(), raw.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(RawHttp.statuses(text)).hasSize(1);
    RawHttp.Reply r = RawHttp.parse(text);
    assertThat(r.header("connection")).isEqualTo("close");
    return r;
  }

  private static void assertRejectedInTheLog(int status) throws InterruptedException {
    AccessLogEntry e = ServerBasicsTest.awaitEntry(entries, x -> x.status() == status);
    assertThat(e.outcome()).isEqualTo(RequestOutcome.REJECTED);
    assertThat(e.route()).isEqualTo("-");
  }
}
