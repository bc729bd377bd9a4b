package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The listener's wire defences through raw sockets, as an attacker sends them: slowloris (a request
 * head trickled in is answered 408 and closed after the request-head timeout, counted from its
 * first byte, on the injected scheduler) and request smuggling (ambiguous framing refused with 400
 * and the close; the smuggled second request never reaches the upstream, counted there), and the
 * size limits (414/431/413). After each attack the gateway still serves a normal client.
 */
class GatewayWireTest {
  static Vertx vertx;
  static Upstream upstream;
  static Gateway gateway;
  static VirtualScheduler scheduler;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = new Upstream(vertx, "up");
    scheduler = new VirtualScheduler();
    gateway =
        Gateway.builder(
                ConfigLoader.withEnv(Map.of())
                    .parse(
                        """
                        listeners:
                          public:
                            port: 0
                            max-header-bytes: 2048
                            max-uri-length: 512
                            max-body-bytes: 1000
                            request-head-timeout: 10s
                          proxyish:
                            port: 0
                            absolute-form: true
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
                            .formatted(upstream.endpoint()),
                        "wire.yaml",
                        GatewayConfig::bind))
            .vertx(vertx)
            .eventLoops(1)
            .scheduler(scheduler)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @BeforeEach
  void clear() {
    upstream.seen.clear();
  }

  static int port() {
    return gateway.port("public");
  }

  /** A normal request on a new connection: the gateway still serves. */
  static String normal(String path) throws Exception {
    try (Socket s = RawHttp.open(port())) {
      RawHttp.send(s, "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n\r\n");
      return RawHttp.readResponse(s.getInputStream());
    }
  }

  static long upstreamSaw(String pathPart) {
    return upstream.seen.stream().filter(r -> r.uri().contains(pathPart)).count();
  }

  @Test
  void slowlorisHeadIsClosedAfterTheHeadTimeoutCountedFromItsFirstByteWhileOthersAreServed()
      throws Exception {
    try (Socket slow = RawHttp.open(port());
        Socket patient = RawHttp.open(port())) {
      RawHttp.send(slow, "GET /slow HTTP/1.1\r\nHo");
      RawHttp.send(patient, "GET /patient HTTP/1.1\r\nHo");
      // a full request on another connection is served meanwhile (and orders the loop's reads)
      assertThat(normal("/meanwhile")).startsWith("HTTP/1.1 200");
      for (int i = 0; i < 9; i++) {
        scheduler.advance(Duration.ofSeconds(1));
        RawHttp.send(slow, "x"); // one byte a second: every byte is progress, none resets the timer
        RawHttp.send(patient, "s");
        assertThat(normal("/meanwhile-" + i)).startsWith("HTTP/1.1 200");
      }
      // 9.x s after its first byte, the patient client completes its head: served
      RawHttp.send(patient, "t: gw.test\r\n\r\n");
      assertThat(RawHttp.readResponse(patient.getInputStream())).startsWith("HTTP/1.1 200");
      // the slow one passes 10 s from its first byte: 408 and the close
      scheduler.advance(Duration.ofMillis(1500));
      String answer = RawHttp.readResponse(slow.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 408").contains("request_head_timeout");
      assertThat(RawHttp.closedByPeer(slow)).isTrue();
    }
    assertThat(upstreamSaw("/slow")).isZero();
    assertThat(upstreamSaw("/patient")).isOne();
    assertThat(normal("/after")).startsWith("HTTP/1.1 200");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CL and TE           | POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
          TE and CL           | POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 40\\r\\n\\r\\n0\\r\\n\\r\\n
          duplicate CL        | POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1\\r\\nContent-Length: 1\\r\\n\\r\\nZ
          differing CL        | POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\nZZ
          TE xchunked         | POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n0\\r\\n\\r\\n
          TE chunked identity | POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n0\\r\\n\\r\\n
          TE twice            | POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
          TE space before :   | POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding : chunked\\r\\n\\r\\n0\\r\\n\\r\\n
          TE on HTTP/1.0      | POST /a HTTP/1.0\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
          bad chunk size      | POST /a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nabc\\r\\n0\\r\\n\\r\\n
          negative CL         | POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n
          CL plus sign        | POST /a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: +4\\r\\n\\r\\nZZZZ
          bare LF             | GET /a HTTP/1.1\\nHost: x\\n\\n
          absolute form       | GET http://evil.test/a HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n
          HTTP/2.0 line       | GET /a HTTP/2.0\\r\\nHost: x\\r\\n\\r\\n
          """)
  void ambiguousFramingIsRefusedAndTheSmuggledRequestNeverReachesTheUpstream(
      String name, String attack) throws Exception {
    String raw = attack.replace("\\r", "\r").replace("\\n", "\n");
    // the bytes after the first request are a second, smuggled request on the same connection
    String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    try (Socket s = RawHttp.open(port())) {
      RawHttp.send(s, raw + smuggled);
      String answer = RawHttp.readResponse(s.getInputStream());
      assertThat(answer).as(name).matches("(?s)HTTP/1\\.[01] (400|505) .*");
      assertThat(RawHttp.closedByPeer(s)).as(name + ": connection closed").isTrue();
    }
    assertThat(normal("/next")).as(name).startsWith("HTTP/1.1 200");
    assertThat(upstreamSaw("/smuggled")).as(name + ": smuggled request").isZero();
    assertThat(upstreamSaw("/a")).as(name + ": refused request").isZero();
  }

  /**
   * A header line folded onto the previous one ({@code obs-fold}) is not a header of its own: the
   * decoder joins it to the previous value with a space (RFC 9112 §5.2 allows that or a 400), so
   * the {@code Transfer-Encoding} hidden in it frames nothing on either side.
   */
  @Test
  void aFoldedTransferEncodingLineIsPartOfThePreviousHeaderAndFramesNothing() throws Exception {
    try (Socket s = RawHttp.open(port())) {
      String folded = " Transfer-Encoding: chunked\r\n"; // obs-fold: starts with a space
      RawHttp.send(
          s,
          "POST /folded HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nX-A: b\r\n" + folded + "\r\n");
      assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
    }
    Upstream.Seen seen =
        upstream.seen.stream().filter(r -> r.uri().equals("/folded")).findFirst().orElseThrow();
    assertThat(seen.headers().get("x-a")).isEqualTo("b Transfer-Encoding: chunked");
    assertThat(seen.headers().get("transfer-encoding")).isNull();
  }

  /**
   * Requests pipelined on one connection in one write, bodiless GETs (which the gateway does not
   * pause) between POSTs whose bodies it streams: each is answered once, in order, with its own
   * answer, and each reaches the upstream once.
   */
  @Test
  void pipelinedRequestsWithAndWithoutBodiesAreAnsweredInOrderEachOnce() throws Exception {
    int n = 200;
    StringBuilder burst = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i % 10 == 5) {
        String body = "body-" + i;
        burst.append("POST /echo/pipe-").append(i).append(" HTTP/1.1\r\nHost: gw.test\r\n");
        burst.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
      } else {
        burst.append("GET /pipe-").append(i).append(" HTTP/1.1\r\nHost: gw.test\r\n\r\n");
      }
    }
    try (Socket s = RawHttp.open(port())) {
      RawHttp.send(s, burst.toString());
      for (int i = 0; i < n; i++) {
        String answer = RawHttp.readResponse(s.getInputStream());
        assertThat(answer)
            .as("answer %d", i)
            .startsWith("HTTP/1.1 200")
            .endsWith(i % 10 == 5 ? "\r\n\r\nbody-" + i : "up /pipe-" + i);
      }
    }
    assertThat(upstreamSaw("pipe-")).isEqualTo(n);
  }

  @Test
  void connectIsRefusedWith405AndNotTunnelled() throws Exception {
    try (Socket s = RawHttp.open(port())) {
      RawHttp.send(s, "CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\n\r\n");
      assertThat(RawHttp.readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 405")
          .contains("the gateway does not tunnel");
    }
    assertThat(upstream.seen).isEmpty();
  }

  @Test
  void absoluteFormIsServedWhereTheListenerAcceptsItWithItsAuthorityAsHost() throws Exception {
    try (Socket s = RawHttp.open(gateway.port("proxyish"))) {
      RawHttp.send(s, "GET http://gw.test/abs?q=1 HTTP/1.1\r\nHost: gw.test\r\n\r\n");
      assertThat(RawHttp.readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 200")
          .endsWith("up /abs?q=1");
      RawHttp.send(s, "GET http://other.test/abs HTTP/1.1\r\nHost: gw.test\r\n\r\n");
      assertThat(RawHttp.readResponse(s.getInputStream()))
          .startsWith("HTTP/1.1 400")
          .contains("is not the Host header");
    }
    assertThat(upstreamSaw("/abs")).isOne();
  }

  @Test
  void oversizedInputsGetTheirStatusAndTheGatewayKeepsServing() throws Exception {
    String longUri = "/u/" + "a".repeat(600);
    assertThat(exchange("GET " + longUri + " HTTP/1.1\r\nHost: x\r\n\r\n"))
        .matches("HTTP/1.[01] 414 (?s).*");
    String bigHeader = "X-Big: " + "b".repeat(3000) + "\r\n";
    assertThat(exchange("GET /h HTTP/1.1\r\nHost: x\r\n" + bigHeader + "\r\n"))
        .matches("HTTP/1.[01] 431 (?s).*");
    assertThat(exchange("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"))
        .startsWith("HTTP/1.1 413");
    // a chunked body that grows past the limit while streaming: 413, the upstream attempt reset
    String chunk = Integer.toHexString(600) + "\r\n" + "c".repeat(600) + "\r\n";
    String streamed =
        exchange(
            "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk
                + chunk
                + "0\r\n\r\n");
    assertThat(streamed).startsWith("HTTP/1.1 413").contains("the body exceeds 1000 bytes");
    assertThat(upstreamSaw("/u/")).isZero();
    assertThat(upstreamSaw("/h")).isZero();
    assertThat(upstreamSaw("/b")).isZero();
    assertThat(normal("/fine")).startsWith("HTTP/1.1 200");
  }

  private static String exchange(String raw) throws Exception {
    try (Socket s = RawHttp.open(port())) {
      RawHttp.send(s, raw);
      return RawHttp.readResponse(s.getInputStream());
    }
  }
}
