package io.bulwark.http;

import static io.bulwark.http.ServerBasicsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/1.x message framing (RFC 9112): requests whose length is ambiguous are refused and their
 * connection closed, so nothing smuggled behind them is ever answered; malformed framing and
 * protocol versions get a JSON answer before the close. Every test sends raw bytes followed by a
 * trailing request on the same socket and reads to EOF: the trailing request is the marker that
 * must not be answered.
 */
class HttpFramingTest {
  static final String TRAILING = "GET /orders/2 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
  static Vertx vertx;
  static BulwarkServer server;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    server =
        BulwarkServer.builder()
            .vertx(vertx)
            .eventLoops(1)
            .listener(new ServerListener() {})
            .get("/orders/{id}", r -> Response.json(Map.of("id", r.pathParam("id"))))
            .post("/echo", r -> Response.json(Map.of("length", r.body().length)))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static String send(String raw) throws Exception {
    return RawHttp.untilClosed(server.port(), raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void contentLengthWithTransferEncodingGets400AndTheConnectionClosed() throws Exception {
    // the body is "0\r\n\r\n" when read as chunked, or 4 bytes ending inside the trailing
    // request when read by content-length: either reading must not answer the trailing request
    for (String headers :
        List.of(
            "content-length: 4\r\ntransfer-encoding: chunked",
            "transfer-encoding: chunked\r\ncontent-length: 4",
            "Content-Length: 4\r\nTransfer-Encoding: chunked")) {
      String text =
          send(
              "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                  + headers
                  + "\r\n\r\n0\r\n\r\n"
                  + TRAILING);
      assertThat(RawHttp.statuses(text)).as(headers).containsExactly(400);
      RawHttp.Reply r = RawHttp.parse(text);
      assertError(r, 400, "bad_transfer_encoding");
      assertThat(r.body()).contains("content-length and transfer-encoding together");
      assertThat(r.header("connection")).isEqualTo("close");
    }
  }

  @Test
  void contentLengthWithTransferEncodingOnAHealthProbeGets400AndClose() throws Exception {
    String text =
        send(
            "GET /health/live HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 4\r\n"
                + "transfer-encoding: chunked\r\n\r\n0\r\n\r\n"
                + TRAILING);
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    assertError(RawHttp.parse(text), 400, "bad_transfer_encoding");
    assertThat(RawHttp.parse(text).header("connection")).isEqualTo("close");
  }

  @Test
  void contentLengthWithTransferEncodingOnHttp10Gets400() throws Exception {
    String text =
        send(
            "POST /echo HTTP/1.0\r\nhost: 127.0.0.1\r\ncontent-length: 5\r\n"
                + "transfer-encoding: chunked\r\n\r\n0\r\n\r\n"
                + TRAILING);
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    assertError(RawHttp.parse(text), 400, "bad_transfer_encoding");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "transfer-encoding: xchunked",
        "transfer-encoding: chunked, identity",
        "transfer-encoding: identity",
        "transfer-encoding: gzip, chunked",
        "transfer-encoding: chunked\r\ntransfer-encoding: chunked",
        "transfer-encoding: chunked\r\ncontent-length: 5\r\ntransfer-encoding: identity",
        "transfer-encoding: xchunked\r\ncontent-length: 5",
      })
  void anyTransferEncodingButOneChunkedGets400AndClose(String headers) throws Exception {
    String text =
        send(
            "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                + headers
                + "\r\n\r\n0\r\n\r\n"
                + TRAILING);
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    RawHttp.Reply r = RawHttp.parse(text);
    assertError(r, 400, "bad_transfer_encoding");
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(r.body()).contains("transfer-encoding");
  }

  @Test
  void conflictingContentLengthsGet400AndClose() throws Exception {
    String text =
        send(
            "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 5\r\n"
                + "content-length: 45\r\n\r\n12345"
                + TRAILING);
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    assertError(RawHttp.parse(text), 400, "malformed_request");
  }

  @Test
  void chunkedRequestsKeepTheConnectionAlive() throws Exception {
    String chunked =
        String.join(
            "\r\n",
            "POST /echo HTTP/1.1",
            "host: 127.0.0.1",
            "transfer-encoding: chunked",
            "",
            "3",
            "abc",
            "2",
            "de",
            "0",
            "",
            "");
    String text =
        send(
            chunked
                + chunked
                + "GET /orders/3 HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(200, 200, 200);
    assertThat(RawHttp.parse(text).body()).contains("\"length\":5");
    assertThat(RawHttp.parse(text).header("connection")).isNull();
    assertThat(text).contains("{\"id\":\"3\"}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"zz\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n1g\r\nx\r\n0\r\n\r\n"})
  void aMalformedChunkSizeGets400AndClose(String body) throws Exception {
    String text =
        send(
            "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n"
                + body
                + TRAILING);
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    RawHttp.Reply r = RawHttp.parse(text);
    assertError(r, 400, "malformed_chunk");
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(r.body()).contains("malformed chunked request body");
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/9.9", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9"})
  void anUnsupportedHttpVersionGets505AndClose(String version) throws Exception {
    String text = send("GET /orders/1 " + version + "\r\nhost: 127.0.0.1\r\n\r\n" + TRAILING);
    assertThat(RawHttp.statuses(text)).containsExactly(505);
    RawHttp.Reply r = RawHttp.parse(text);
    assertError(r, 505, "http_version_not_supported");
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(r.body()).contains("HTTP version " + version + " is not supported");
  }

  @Test
  void aGarbledVersionGets400AndClose() throws Exception {
    String text = send("GET /orders/1 FOO/1.1\r\nhost: 127.0.0.1\r\n\r\n" + TRAILING);
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    assertError(RawHttp.parse(text), 400, "malformed_request");
  }

  @Test
  void aTlsHandshakeOnThePlainPortGets400AndClose() throws Exception {
    // the start of a TLS 1.2 ClientHello record: handshake (0x16), version 3.1, length, type 1
    byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03};
    String text = RawHttp.untilClosed(server.port(), hello);
    assertThat(text).startsWith("HTTP/1.1 400 Bad Request\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    RawHttp.Reply r = RawHttp.parse(text);
    assertError(r, 400, "tls_on_plain_port");
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(r.header("content-length")).isEqualTo(Integer.toString(r.body().length()));
    assertThat(r.body()).contains(r.header("bulwark-correlation-id"));
  }

  @Test
  void keepAliveStillServesSeveralRequestsWithoutABody() throws Exception {
    String get = "GET /orders/1 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
    String text =
        send(get + get + "GET /orders/3 HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(200, 200, 200);
  }

  @Test
  void http11WithoutHostGets400() throws Exception {
    String text = send("GET /orders/1 HTTP/1.1\r\nconnection: close\r\n\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    assertError(RawHttp.parse(text), 400, "missing_host");
  }

  @Test
  void http11WithTwoHostHeadersGets400() throws Exception {
    String text = send("GET /orders/1 HTTP/1.1\r\nhost: a\r\nhost: b\r\nconnection: close\r\n\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(400);
    assertError(RawHttp.parse(text), 400, "missing_host");
  }

  @Test
  void http10WithoutHostIsServed() throws Exception {
    String text = send("GET /orders/1 HTTP/1.0\r\n\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(200);
  }

  @Test
  void headOnAGetRouteGetsTheGetHeadersWithoutABody() throws Exception {
    String get = send("GET /orders/7 HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    String head = send("HEAD /orders/7 HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    RawHttp.Reply g = RawHttp.parse(get);
    assertThat(RawHttp.statuses(head)).containsExactly(200);
    assertThat(head).endsWith("\r\n\r\n");
    RawHttp.Reply h = RawHttp.parse(head);
    assertThat(h.body()).isEmpty();
    assertThat(h.header("content-type")).isEqualTo(g.header("content-type"));
    assertThat(h.header("bulwark-correlation-id")).isNotBlank();
  }

  @Test
  void headKeepsTheConnectionUsable() throws Exception {
    String text =
        send(
            String.join(
                "\r\n",
                "HEAD /orders/7 HTTP/1.1",
                "host: 127.0.0.1",
                "",
                "GET /orders/8 HTTP/1.1",
                "host: 127.0.0.1",
                "connection: close",
                "",
                ""));
    assertThat(RawHttp.statuses(text)).containsExactly(200, 200);
    assertThat(text).contains("\"id\":\"8\"").doesNotContain("\"id\":\"7\"");
  }

  @Test
  void headOnAPostOnlyRouteGets405() throws Exception {
    String text = send("HEAD /echo HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    assertThat(RawHttp.statuses(text)).containsExactly(405);
    assertThat(RawHttp.parse(text).header("allow")).isEqualTo("POST");
  }

  @Test
  void healthAnswersCarryTheCorrelationId() throws Exception {
    for (String path : List.of("/health/live", "/health/ready")) {
      RawHttp.Reply given = RawHttp.get(server.port(), path, "bulwark-correlation-id: probe-1");
      assertThat(given.status()).isEqualTo(200);
      assertThat(given.header("bulwark-correlation-id")).isEqualTo("probe-1");
      RawHttp.Reply generated = RawHttp.get(server.port(), path);
      assertThat(generated.header("bulwark-correlation-id")).matches("[0-9a-f]{16}");
    }
  }
}
