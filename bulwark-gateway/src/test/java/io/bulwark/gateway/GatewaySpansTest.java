package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.telemetry.SpanKind;
import io.bulwark.test.RecordingTelemetry;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * One {@code SERVER} span per request, a child of the caller's {@code traceparent}: named by the
 * route once one matched (with the upstream attempt's {@code CLIENT} span under it), by the method
 * alone when none did. Requests go one after another on one keep-alive connection, which one event
 * loop serves in order: once an answer has arrived, the exchange before it has ended its spans.
 */
class GatewaySpansTest {
  private static final String TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String TRACE_B = "0af7651916cd43dd8448eb211c80319c";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";

  @Test
  void aRoutedAndAnUnroutedRequestEachMakeOneServerSpanUnderTheCallersTrace() throws Exception {
    Vertx vertx = Vertx.vertx();
    RecordingTelemetry telemetry = new RecordingTelemetry();
    Upstream up = new Upstream(vertx, "up");
    try (Gateway gateway =
            Gateway.builder(EchoRoute.config(up.endpoint(), ""))
                .vertx(vertx)
                .telemetry(telemetry)
                .start();
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port("public"))) {
      socket.setSoTimeout(10_000);
      assertThat(exchange(socket, "/echo/1", TRACE_A)).startsWith("HTTP/1.1 200");
      assertThat(exchange(socket, "/nowhere", TRACE_B)).startsWith("HTTP/1.1 404");
      // the marker: answered after both exchanges above ended on this connection's loop
      assertThat(exchange(socket, "/nowhere", "1af7651916cd43dd8448eb211c80319c"))
          .startsWith("HTTP/1.1 404");
    } finally {
      up.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    List<RecordingTelemetry.Span> routed = inTrace(telemetry, TRACE_A);
    assertThat(routed).filteredOn(s -> s.kind() == SpanKind.SERVER).hasSize(1);
    RecordingTelemetry.Span server =
        routed.stream().filter(s -> s.kind() == SpanKind.SERVER).findFirst().orElseThrow();
    assertThat(server.name()).isEqualTo("GET echo");
    assertThat(server.parentSpanId()).isEqualTo(CALLER_SPAN);
    assertThat(routed)
        .filteredOn(s -> s.kind() == SpanKind.CLIENT)
        .singleElement()
        .satisfies(c -> assertThat(c.parentSpanId()).isEqualTo(server.spanId()));

    List<RecordingTelemetry.Span> unrouted = inTrace(telemetry, TRACE_B);
    assertThat(unrouted)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.kind()).isEqualTo(SpanKind.SERVER);
              assertThat(s.name()).isEqualTo("GET");
              assertThat(s.parentSpanId()).isEqualTo(CALLER_SPAN);
            });
    // and no span outside a caller's trace (a root span per request, ended at the match)
    assertThat(telemetry.spans())
        .allSatisfy(
            s ->
                assertThat(s.traceId()).isIn(TRACE_A, TRACE_B, "1af7651916cd43dd8448eb211c80319c"));
  }

  private static List<RecordingTelemetry.Span> inTrace(RecordingTelemetry t, String traceId) {
    return t.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** Sends one GET and reads its whole answer (content-length or chunked); returns its head. */
  private static String exchange(Socket socket, String path, String traceId) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + path
                + " HTTP/1.1\r\nhost: shop.example.com\r\ntraceparent: 00-"
                + traceId
                + "-"
                + CALLER_SPAN
                + "-01\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection closed in an answer's head: " + head);
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    boolean chunked = false;
    for (String line : text.lines().toList()) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (!chunked) {
      readExactly(in, length, text);
      return text;
    }
    while (true) { // chunk size line, the chunk and its CRLF; a 0 size line ends the body
      int size = Integer.parseInt(line(in, text).strip(), 16);
      if (size == 0) {
        line(in, text); // the empty line after the last chunk (no trailers sent)
        return text;
      }
      readExactly(in, size + 2, text);
    }
  }

  private static void readExactly(InputStream in, int n, String head) throws IOException {
    if (in.readNBytes(n).length != n) {
      throw new IOException("the answer's body ended early: " + head);
    }
  }

  private static String line(InputStream in, String head) throws IOException {
    StringBuilder b = new StringBuilder();
    while (b.length() < 2 || b.charAt(b.length() - 2) != '\r' || b.charAt(b.length() - 1) != '\n') {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the answer's chunked body ended early: " + head);
      }
      b.append((char) c);
    }
    return b.substring(0, b.length() - 2);
  }
}
