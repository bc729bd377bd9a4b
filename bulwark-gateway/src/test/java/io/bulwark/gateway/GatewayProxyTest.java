package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GatewayProxyTest {
  static Vertx vertx;
  static Upstream a;
  static Upstream b;
  static Upstream h2;
  static Gateway gateway;
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    a = new Upstream(vertx, "a");
    b = new Upstream(vertx, "b");
    h2 = new Upstream(vertx, "h2");
    gateway = Gateway.builder(parse(config())).vertx(vertx).start();
  }

  static String config() {
    return """
        listeners:
          public:
            port: 0
            max-header-bytes: 4096
            max-uri-length: 1024
            max-body-bytes: 8388608
          idle:
            port: 0
            idle-timeout: 300ms
        clusters:
          a:
            endpoints: [%s]
            egress-allow: [loopback]
          ab:
            endpoints: [%s, %s]
            egress-allow: [loopback]
            retry-budget: {ratio: 1.0}
          ab-no-budget:
            endpoints: [%s, %s]
            egress-allow: [loopback]
            retry-budget: {ratio: 0.0, min-retries-per-second: 0}
          h2:
            endpoints: [%s]
            egress-allow: [loopback]
            protocol: h2c
          default-egress:
            endpoints: [%s]
          metadata:
            endpoints: [169.254.169.254:80]
          v6-loopback:
            endpoints: ["[::1]:%d"]
        routes:
          ssrf-loopback:
            match: {path-prefix: /ssrf/loopback}
            cluster: default-egress
          ssrf-metadata:
            match: {path-prefix: /ssrf/metadata}
            cluster: metadata
          ssrf-v6:
            match: {path-prefix: /ssrf/v6}
            cluster: v6-loopback
          retried:
            match: {path-prefix: /retry}
            cluster: ab
            rewrite-prefix: /
            retry: {attempts: 2, on-status: [503]}
          unbudgeted:
            match: {path-prefix: /nobudget}
            cluster: ab-no-budget
            rewrite-prefix: /
            retry: {attempts: 2, on-status: [503]}
          slow:
            match: {path: /hang}
            cluster: a
            timeout: 200ms
          old:
            match: {path-prefix: /old}
            redirect: {to: "https://new.example.com/", status: 301}
          h2:
            match: {path-prefix: /h2, headers: {x-proto: "h2"}}
            cluster: h2
            rewrite-prefix: /echo
          cors:
            match: {path-prefix: /cors}
            cluster: a
            cors: {allow-origins: ["https://shop.example.com"], allow-methods: [GET, PUT]}
          shaped:
            match: {path-template: "/shaped/{id}"}
            cluster: a
            request-headers: {set: {x-added: "yes"}, remove: [x-drop-me]}
            response-headers: {remove: [x-upstream]}
          everything:
            match: {path-prefix: /}
            cluster: a
        admin:
          port: 0
        """
        .formatted(
            a.endpoint(),
            a.endpoint(),
            b.endpoint(),
            a.endpoint(),
            b.endpoint(),
            h2.endpoint(),
            a.endpoint(),
            a.port());
  }

  static GatewayConfig parse(String yaml) {
    return ConfigLoader.withEnv(Map.of()).parse(yaml, "test.yaml", GatewayConfig::bind);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port("public") + path);
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri(path));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void streamsALargeBodyBothWaysUnchanged() throws Exception {
    byte[] body = new byte[6 * 1024 * 1024];
    new Random(1).nextBytes(body);
    HttpResponse<byte[]> chunked =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/echo"))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> sized =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(chunked.statusCode()).isEqualTo(200);
    assertThat(sha(chunked.body())).isEqualTo(sha(body));
    assertThat(sized.statusCode()).isEqualTo(200);
    assertThat(sized.headers().firstValue("content-length"))
        .contains(Integer.toString(body.length));
    assertThat(sha(sized.body())).isEqualTo(sha(body));
  }

  @Test
  void stripsHopByHopHeadersAndReplacesForwardingHeadersFromAnUntrustedClient() throws Exception {
    String raw =
        rawExchange(
            head(
                "GET /plain HTTP/1.1",
                "Host: shop.example.com",
                "Connection: keep-alive, x-secret",
                "X-Secret: 1",
                "Keep-Alive: timeout=9",
                "TE: trailers",
                "X-Forwarded-For: 6.6.6.6",
                "Forwarded: for=6.6.6.6",
                "Bulwark-Criticality: critical_plus",
                "Proxy-Authorization: Basic eA=="));

    assertThat(raw).startsWith("HTTP/1.1 200");
    Upstream.Seen seen = last(a, "/plain");
    assertThat(seen.headers().names())
        .doesNotContain(
            "x-secret", "keep-alive", "te", "proxy-authorization", "bulwark-criticality");
    assertThat(seen.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.headers().get("forwarded"))
        .isEqualTo("for=127.0.0.1;host=\"shop.example.com\";proto=http");
    assertThat(seen.headers().get("x-forwarded-host")).isEqualTo("shop.example.com");
    assertThat(seen.headers().get("bulwark-correlation-id")).isNotBlank();
    assertThat(seen.headers().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    // and the upstream's hop-by-hop headers do not reach the client
    assertThat(raw.toLowerCase(java.util.Locale.ROOT))
        .doesNotContain("x-private", "keep-alive: timeout=5");
    assertThat(raw)
        .contains("bulwark-correlation-id: " + seen.headers().get("bulwark-correlation-id"));
  }

  @Test
  void refusesLoopbackMetadataAndV6LoopbackUpstreamsByDefault() throws Exception {
    int hitsBefore = a.hits.get();
    for (String path : List.of("/ssrf/loopback", "/ssrf/metadata", "/ssrf/v6")) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(503);
      assertThat(r.body()).contains("no healthy endpoint permitted by its egress");
    }
    assertThat(a.hits.get()).as("the loopback upstream was never called").isEqualTo(hitsBefore);
    String clusters = AdminView.clusters(gateway);
    assertThat(clusters)
        .contains(
            "resolves to loopback address 127.0.0.1; the cluster's egress-allow must list loopback")
        .contains("resolves to metadata address 169.254.169.254")
        .contains("resolves to loopback address 0:0:0:0:0:0:0:1");
  }

  @Test
  void answers431414And413AndKeepsServing() throws Exception {
    String bigHeader = "GET /plain HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(8000) + "\r\n\r\n";
    assertThat(rawExchange(bigHeader)).matches("(?s)HTTP/1\\.[01] 431.*");
    String longUri = "GET /" + "u".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThat(rawExchange(longUri)).matches("(?s)HTTP/1\\.[01] 414.*");
    String bigBody = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n";
    String answer = rawExchange(bigBody);
    assertThat(answer).startsWith("HTTP/1.1 413");
    assertThat(
            a.seen.stream()
                .filter(
                    s ->
                        s.uri().equals("/echo")
                            && "9000000".equals(s.headers().get("content-length"))))
        .isEmpty();

    assertThat(get("/plain").statusCode()).isEqualTo(200);
  }

  @Test
  void closesAConnectionThatStallsInItsRequestHead() throws Exception {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), gateway.port("idle"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write("GET /plain HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      // the gateway closes the connection after its 300 ms idle timeout: read sees the end
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(get("/plain").statusCode()).isEqualTo(200);
  }

  @Test
  void passesUpstreamRedirectsThroughAndAnswersRouteRedirects() throws Exception {
    HttpResponse<String> passed = get("/redirect");
    assertThat(passed.statusCode()).isEqualTo(302);
    assertThat(passed.headers().firstValue("location")).contains("http://elsewhere.test/x");

    HttpResponse<String> own = get("/old/page?x=1");
    assertThat(own.statusCode()).isEqualTo(301);
    assertThat(own.headers().firstValue("location"))
        .contains("https://new.example.com/old/page?x=1");
  }

  @Test
  void retriesAnIdempotentRequestOnAnotherEndpointButNeverAPost() throws Exception {
    a.status = 503;
    b.status = 200;
    try {
      int ok = 0;
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = get("/retry/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("b /x");
        ok++;
      }
      assertThat(ok).isEqualTo(10);
      int posts503 = 0;
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r =
            CLIENT.send(
                HttpRequest.newBuilder(uri("/retry/x"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503) {
          posts503++;
        }
      }
      assertThat(posts503)
          .as("round robin sends half the POSTs to the failing endpoint")
          .isEqualTo(5);
    } finally {
      a.status = 200;
    }
  }

  @Test
  void answers504WhenTheUpstreamDoesNotAnswerInTime() throws Exception {
    HttpResponse<String> r = get("/hang");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("upstream-timeout");
  }

  @Test
  void speaksHttp2OnBothSides() throws Exception {
    HttpClient h2Client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> r =
        h2Client.send(
            HttpRequest.newBuilder(uri("/h2/x"))
                .header("x-proto", "h2")
                .POST(HttpRequest.BodyPublishers.ofString("over h2"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    // the first request upgrades (h2c); the next one runs over HTTP/2
    HttpResponse<String> second =
        h2Client.send(
            HttpRequest.newBuilder(uri("/h2/y"))
                .header("x-proto", "h2")
                .POST(HttpRequest.BodyPublishers.ofString("again"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("over h2");
    assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(second.body()).isEqualTo("again");
    assertThat(h2.seen).allMatch(s -> s.version() == HttpVersion.HTTP_2);
    assertThat(h2.seen).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void refusesEncodedSeparatorsAndResolvesDotSegmentsBeforeMatching() throws Exception {
    assertThat(rawExchange("GET /old%2fpage HTTP/1.1\r\nHost: x\r\n\r\n"))
        .startsWith("HTTP/1.1 400");
    String resolved = rawExchange("GET /cors/../plain2 HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(resolved).startsWith("HTTP/1.1 200");
    assertThat(last(a, "/plain2").uri()).isEqualTo("/plain2");
  }

  @Test
  void answersCorsPreflightsAndTransformsHeaders() throws Exception {
    HttpResponse<String> preflight =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/cors/x"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://shop.example.com")
                .header("access-control-request-method", "PUT")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("access-control-allow-origin"))
        .contains("https://shop.example.com");
    HttpResponse<String> evil =
        CLIENT.send(
            HttpRequest.newBuilder(uri("/cors/x"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://evil.example.com")
                .header("access-control-request-method", "PUT")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(evil.headers().firstValue("access-control-allow-origin")).isEmpty();

    HttpResponse<String> shaped = get("/shaped/7", "x-drop-me", "1");
    assertThat(shaped.headers().firstValue("x-upstream")).isEmpty();
    Upstream.Seen seen = last(a, "/shaped/7");
    assertThat(seen.headers().get("x-added")).isEqualTo("yes");
    assertThat(seen.headers().contains("x-drop-me")).isFalse();
  }

  static Upstream.Seen last(Upstream u, String uri) {
    List<Upstream.Seen> all = new ArrayList<>(u.seen);
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).uri().equals(uri)) {
        return all.get(i);
      }
    }
    throw new AssertionError("the upstream never saw " + uri);
  }

  /** Sends raw bytes, reads until the gateway closes or a full small answer arrived. */
  static String rawExchange(String request) throws Exception {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), gateway.port("public"))) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
        if (complete(got.toString(StandardCharsets.ISO_8859_1))) {
          break;
        }
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static String head(String... lines) {
    return String.join("\r\n", lines) + "\r\n\r\n";
  }

  /** True once {@code text} holds one whole answer (by content-length or the last chunk). */
  static boolean complete(String text) {
    int head = text.indexOf("\r\n\r\n");
    if (head < 0) {
      return false;
    }
    String headers = text.substring(0, head).toLowerCase(java.util.Locale.ROOT);
    java.util.regex.Matcher cl =
        java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(headers);
    if (cl.find()) {
      return text.length() - head - 4 >= Integer.parseInt(cl.group(1));
    }
    return headers.contains("transfer-encoding: chunked") && text.endsWith("0\r\n\r\n");
  }

  static String sha(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
