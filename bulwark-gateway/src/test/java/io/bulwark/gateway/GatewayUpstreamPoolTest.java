package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own HTTP/1.1 upstream connections, against an upstream that writes its answers byte
 * by byte as scripted: keep-alive reuse, an upstream's {@code Connection: close}, informational
 * answers, HEAD answers without a body, an answer cut short, and hostile heads both ways
 * (duplicated hop-by-hop headers, {@code Connection} naming other headers, hundreds of headers,
 * forbidden characters).
 */
class GatewayUpstreamPoolTest {
  /**
   * One request as the raw upstream saw it: method, path, the gateway's client port, its header
   * lines as sent.
   */
  record Hit(String method, String path, int port, List<String> headers) {}

  static ServerSocket upstream;
  static final ConcurrentLinkedQueue<Hit> HITS = new ConcurrentLinkedQueue<>();

  /** Per gateway-side port: completes when the gateway closed that connection (EOF seen). */
  static final ConcurrentHashMap<Integer, CompletableFuture<Void>> CLOSED =
      new ConcurrentHashMap<>();

  static Gateway gateway;
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().start(GatewayUpstreamPoolTest::accept);
    gateway = Gateway.builder(config("pool-size: 2")).start();
  }

  /** One route to the raw upstream, its cluster given {@code clusterKey} (one YAML line). */
  static GatewayConfig config(String clusterKey) {
    return GatewayProxyTest.parse(
        """
        listeners:
          public: {port: 0}
        clusters:
          raw:
            endpoints: [127.0.0.1:%d]
            egress-allow: [loopback]
            %s
        routes:
          all:
            match: {path-prefix: /}
            cluster: raw
        admin: {port: 0}
        """
            .formatted(upstream.getLocalPort(), clusterKey));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    upstream.close();
  }

  static void accept() {
    while (!upstream.isClosed()) {
      try {
        Socket s = upstream.accept();
        Thread.ofPlatform().daemon().start(() -> serve(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Answers each request on the connection by its path, until the path says to close. */
  static void serve(Socket s) {
    CompletableFuture<Void> closed =
        CLOSED.computeIfAbsent(s.getPort(), p -> new CompletableFuture<>());
    try (s;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
      OutputStream out = s.getOutputStream();
      String line;
      while ((line = in.readLine()) != null) {
        int sp1 = line.indexOf(' ');
        int sp2 = line.indexOf(' ', sp1 + 1);
        String method = line.substring(0, sp1);
        String path = line.substring(sp1 + 1, sp2);
        List<String> headers = new ArrayList<>();
        String header = in.readLine();
        while (header != null && !header.isEmpty()) {
          headers.add(header);
          header = in.readLine(); // none of the scripted requests has a body
        }
        HITS.add(new Hit(method, path, s.getPort(), List.copyOf(headers)));
        String port = Integer.toString(s.getPort());
        switch (path) {
          case "/close" -> {
            write(
                out,
                "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: "
                    + port.length()
                    + "\r\n\r\n"
                    + port);
            return;
          }
          case "/continue" ->
              write(
                  out,
                  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: "
                      + port.length()
                      + "\r\n\r\n"
                      + port);
          case "/hostile-hop" ->
              write(
                  out,
                  "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-A\r\nConnection: x-b\r\n"
                      + "Keep-Alive: timeout=5\r\nKeep-Alive: max=9\r\nX-A: 1\r\nx-b: 2\r\n"
                      + "Proxy-Authenticate: Basic\r\nTrailer: x-t\r\nUpgrade: h2c\r\n"
                      + "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Kept: yes\r\ncontent-length: "
                      + port.length()
                      + "\r\n\r\n"
                      + port);
          case "/many" -> {
            StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 300; i++) {
              head.append("X-H-").append(i).append(": ").append(i).append("\r\n");
            }
            write(out, head + "content-length: " + port.length() + "\r\n\r\n" + port);
          }
          case "/nul-value" ->
              write(out, "HTTP/1.1 200 OK\r\nX-Bad: a\u0000b\r\ncontent-length: 2\r\n\r\nok");
          case "/empty-name" -> write(out, "HTTP/1.1 200 OK\r\n: x\r\ncontent-length: 2\r\n\r\nok");
          case "/bad-name" ->
              write(out, "HTTP/1.1 200 OK\r\nX\u0001Bad: 1\r\ncontent-length: 2\r\n\r\nok");
          case "/cut" -> {
            write(out, "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part");
            return; // 9 of 100 bytes, then the connection closes
          }
          default -> {
            // HEAD gets the same head and no body: the connection must stay in step
            String body = method.equals("HEAD") ? "" : port;
            write(out, "HTTP/1.1 200 OK\r\ncontent-length: " + port.length() + "\r\n\r\n" + body);
          }
        }
      }
      closed.complete(null); // EOF: the gateway closed it
    } catch (IOException e) {
      closed.complete(null); // the gateway reset it
    }
  }

  static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  static HttpResponse<String> send(String method, String path) throws Exception {
    return send(gateway, method, path);
  }

  static HttpResponse<String> send(Gateway via, String method, String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port("public") + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sequentialRequestsRideOneKeptAliveConnectionAndHeadAnswersKeepItInStep() throws Exception {
    List<String> ports = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = send("GET", "/ka/" + i);
      assertThat(r.statusCode()).isEqualTo(200);
      ports.add(r.body());
      HttpResponse<String> head = send("HEAD", "/ka/head" + i);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
    }
    // one connection served all ten (a HEAD answer read as if it had a body would desync it)
    assertThat(ports).containsOnly(ports.getFirst());
  }

  @Test
  void anUpstreamsConnectionCloseIsHonouredAndTheNextRequestGetsAFreshConnection()
      throws Exception {
    String closedPort = send("GET", "/close").body();
    String next = send("GET", "/after-close").body();
    assertThat(next).isNotEqualTo(closedPort);
    assertThat(send("GET", "/after-close-2").body()).isEqualTo(next);
  }

  @Test
  void informationalAnswersAreNotForwardedAndTheFinalAnswerIs() throws Exception {
    HttpResponse<String> r = send("GET", "/continue");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).matches("\\d+");
    // the connection is still in step afterwards
    assertThat(send("GET", "/ka/after-continue").body()).isEqualTo(r.body());
  }

  @Test
  void anAnswerCutShortBreaksTheClientsAnswerAndTheGatewayKeepsServing() throws Exception {
    assertThatThrownBy(() -> send("GET", "/cut")).isInstanceOf(IOException.class);
    assertThat(send("GET", "/ka/after-cut").statusCode()).isEqualTo(200);
  }

  /** The admin view's {@code field} of cluster {@code raw}. */
  static long poolFigure(Gateway via, String field) throws Exception {
    String view = AdminView.clusters(via);
    com.fasterxml.jackson.databind.JsonNode c = AdminView.cluster(view, "raw");
    assertThat(c.has(field)).as("%s in %s", field, view).isTrue();
    return c.get(field).asLong();
  }

  @Test
  void plainRequestsAreServedByTheGatewaysOwnPoolNotTheFallbackClient() throws Exception {
    long before = poolFigure(gateway, "pooled-exchanges");
    for (int i = 0; i < 3; i++) {
      assertThat(send("GET", "/ka/pooled" + i).statusCode()).isEqualTo(200);
    }
    // the fallback client never counts here: three more exchanges prove the own pool served them
    assertThat(poolFigure(gateway, "pooled-exchanges")).isEqualTo(before + 3);
    assertThat(poolFigure(gateway, "pooled-connections")).isBetween(1L, 2L); // pool-size 2
  }

  @Test
  void aConnectionIdleForTheIdleTimeoutIsClosedAndTheNextRequestOpensAFreshOne() throws Exception {
    try (Gateway idle = Gateway.builder(config("idle-timeout: 150ms")).start()) {
      String first = send(idle, "GET", "/idle/1").body();
      // the upstream sees the gateway close the connection it had kept alive (no request closed it)
      CLOSED
          .computeIfAbsent(Integer.parseInt(first), p -> new CompletableFuture<>())
          .get(10, TimeUnit.SECONDS);
      String second = send(idle, "GET", "/idle/2").body();
      assertThat(second).isNotEqualTo(first);
      assertThat(poolFigure(idle, "pooled-exchanges")).isEqualTo(2);
    }
  }

  @Test
  void aConnectionInUseIsKeptAliveWithinTheIdleTimeout() throws Exception {
    // control for the test above: the class's gateway (default 60 s) reuses its connection
    String a = send("GET", "/ka/reuse-a").body();
    assertThat(send("GET", "/ka/reuse-b").body()).isEqualTo(a);
    assertThat(CLOSED.get(Integer.parseInt(a))).isNotCompleted();
  }

  @Test
  void anAnswersHopByHopHeadersAndTheHeadersItsConnectionNamesStayOnTheirHopEvenWhenRepeated()
      throws Exception {
    HttpResponse<String> r = send("GET", "/hostile-hop");
    assertThat(r.statusCode()).isEqualTo(200);
    java.net.http.HttpHeaders h = r.headers();
    for (String hop : List.of("x-a", "x-b", "keep-alive", "proxy-authenticate", "trailer")) {
      assertThat(h.firstValue(hop)).as(hop).isEmpty();
    }
    assertThat(h.allValues("upgrade")).isEmpty();
    assertThat(h.allValues("set-cookie")).containsExactly("a=1", "b=2");
    assertThat(h.firstValue("x-kept")).contains("yes");
    // "keep-alive" among the Connection tokens: the connection serves the next request
    assertThat(send("GET", "/ka/after-hostile").body()).isEqualTo(r.body());
  }

  @Test
  void anAnswerWithHundredsOfHeadersReachesTheClientWhole() throws Exception {
    HttpResponse<String> r = send("GET", "/many");
    assertThat(r.statusCode()).isEqualTo(200);
    for (int i = 0; i < 300; i++) {
      assertThat(r.headers().allValues("x-h-" + i)).containsExactly(Integer.toString(i));
    }
  }

  @Test
  void anAnswerHeaderWithANulOrAControlCharacterInItsNameIsNeverForwarded() throws Exception {
    for (String path : List.of("/nul-value", "/bad-name", "/empty-name")) {
      HttpResponse<String> r = send("GET", path);
      assertThat(r.statusCode()).as(path).isEqualTo(502);
      assertThat(r.headers().map().keySet()).as(path).doesNotContain("x-bad");
      assertThat(send("GET", "/ka/after" + path).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aClientHeaderWithAnEmptyNameIsRefusedAndNeverReachesTheUpstream() throws Exception {
    int before = HITS.size();
    try (java.net.Socket s = RawHttp.open(gateway.port("public"))) {
      RawHttp.send(s, "GET /empty-client HTTP/1.1\r\nHost: shop.example.com\r\n: x\r\n\r\n");
      String answer = RawHttp.readResponse(s.getInputStream());
      assertThat(answer).matches("(?s)HTTP/1.1 (400|502) .*");
    }
    assertThat(HITS.stream().skip(before).map(Hit::path)).doesNotContain("/empty-client");
    assertThat(send("GET", "/ka/after-empty-client").statusCode()).isEqualTo(200);
  }

  @Test
  void aClientsHopByHopHeadersAndTheHeadersItsConnectionNamesNeverReachTheUpstream()
      throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 150; i++) {
      many.append("X-N-").append(i).append(": ").append(i).append("\r\n");
    }
    String request =
        "GET /req-hop HTTP/1.1\r\nHost: shop.example.com\r\nConnection: x-custom\r\n"
            + "Connection: X-Other, keep-alive\r\nX-Custom: secret\r\nx-other: secret\r\n"
            + "Keep-Alive: timeout=9\r\nKeep-Alive: max=1\r\nTE: trailers\r\n"
            + "Proxy-Connection: keep-alive\r\nX-Forwarded-For: 6.6.6.6\r\n"
            + "X-Forwarded-For: 7.7.7.7\r\n"
            + many
            + "\r\n";
    try (java.net.Socket s = RawHttp.open(gateway.port("public"))) {
      RawHttp.send(s, request);
      assertThat(RawHttp.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
    }
    Hit hit = null;
    for (Hit h : HITS) {
      if (h.path().equals("/req-hop")) {
        hit = h;
      }
    }
    assertThat(hit).isNotNull();
    List<String> names = new ArrayList<>();
    List<String> numbered = new ArrayList<>();
    for (String line : hit.headers()) {
      String name = line.substring(0, line.indexOf(':')).toLowerCase(java.util.Locale.ROOT);
      names.add(name);
      if (name.startsWith("x-n-")) {
        numbered.add(line);
      }
    }
    assertThat(names)
        .doesNotContain("connection", "x-custom", "x-other", "keep-alive", "te")
        .doesNotContain("proxy-connection");
    assertThat(names.stream().filter("host"::equals)).hasSize(1);
    assertThat(hit.headers()).contains("x-forwarded-for: 127.0.0.1");
    assertThat(names.stream().filter("x-forwarded-for"::equals)).hasSize(1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      expected.add("x-n-" + i + ": " + i);
    }
    assertThat(numbered).isEqualTo(expected); // in the client's order, names lower-cased
  }
}
