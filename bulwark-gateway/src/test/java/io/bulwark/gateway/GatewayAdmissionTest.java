package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate limits (per route, client IP behind the trusted-proxy rule, header, JWT claim), adaptive
 * concurrency and per-client connection limits, over real loopback with time on a virtual clock.
 */
@SuppressWarnings("JavaUtilDate") // nimbus's claims builder takes java.util.Date
class GatewayAdmissionTest {
  static Vertx vertx;
  static Upstream upstream;
  static Upstream held;
  static final LinkedBlockingQueue<HttpServerRequest> holding = new LinkedBlockingQueue<>();
  static VirtualScheduler time;
  static Gateway gateway;
  static OctetSequenceKey hmac;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = new Upstream(vertx, "up");
    held = new Upstream(vertx, "held", holding::add);
    hmac = new OctetSequenceKeyGenerator(256).keyID("h1").generate();
    time = new VirtualScheduler();
    String yaml =
        """
        listeners:
          public: {port: 0}
          behind-lb: {port: 0, trusted-proxies: [127.0.0.1/32]}
          few: {port: 0, max-connections-per-client: 2}
        clusters:
          up: {endpoints: [%s], egress-allow: [loopback]}
          held: {endpoints: [%s], egress-allow: [loopback]}
        routes:
          by-ip:
            match: {path-prefix: /ip}
            cluster: up
            rate-limits:
              per-client: {key: ip, permits: 2, period: 1m, burst: 2}
          by-header:
            match: {path-prefix: /key}
            cluster: up
            rate-limits:
              per-key: {key: "header:x-api-key", permits: 1, period: 10s, burst: 1}
              whole-route: {key: route, permits: 5, period: 10s, burst: 5}
          by-claim:
            match: {path-prefix: /tenant}
            cluster: up
            jwt:
              issuer: https://issuer.test
              audiences: [api]
              keys: '%s'
              algorithms: [HS256]
              required-claims: [tenant]
            rate-limits:
              per-tenant: {key: "claim:tenant", permits: 1, period: 1m, burst: 1}
          limited:
            match: {path-prefix: /slow}
            cluster: held
            timeout: 30s
            concurrency: {algorithm: aimd, initial-limit: 2, min-limit: 1, max-limit: 2}
          open:
            match: {path-prefix: /}
            cluster: up
        """
            .formatted(upstream.endpoint(), held.endpoint(), new JWKSet(hmac).toString(false));
    gateway =
        Gateway.builder(
                ConfigLoader.withEnv(Map.of()).parse(yaml, "test.yaml", GatewayConfig::bind))
            .vertx(vertx)
            .scheduler(time)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static HttpResponse<String> call(String listener, String path, Consumer<HttpRequest.Builder> h)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port(listener) + path));
    h.accept(b);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void perClientIpLimitAnswers429WithRetryAfterAndForgedForwardedForDoesNotHelp() throws Exception {
    assertThat(call("public", "/ip", b -> b.header("x-forwarded-for", "1.1.1.1")).statusCode())
        .isEqualTo(200);
    assertThat(call("public", "/ip", b -> b.header("x-forwarded-for", "2.2.2.2")).statusCode())
        .isEqualTo(200);
    // an untrusted peer's X-Forwarded-For is not its key: the third request is over the limit
    HttpResponse<String> third = call("public", "/ip", b -> b.header("x-forwarded-for", "3.3.3.3"));
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("retry-after")).hasValue("30"); // 1 permit per 30 s
    assertThat(third.body()).contains("urn:bulwark:gateway:rate-limited");

    // behind a trusted proxy the last untrusted hop is the client; hops left of it are ignored
    for (int i = 0; i < 2; i++) {
      assertThat(
              call("behind-lb", "/ip", b -> b.header("x-forwarded-for", "9.9.9.9, 5.5.5.5"))
                  .statusCode())
          .isEqualTo(200);
    }
    assertThat(
            call("behind-lb", "/ip", b -> b.header("x-forwarded-for", "8.8.8.8, 5.5.5.5"))
                .statusCode())
        .as("same client 5.5.5.5 with a different forged left hop")
        .isEqualTo(429);
    assertThat(call("behind-lb", "/ip", b -> b.header("x-forwarded-for", "6.6.6.6")).statusCode())
        .isEqualTo(200);
    time.advance(Duration.ofSeconds(30));
    assertThat(call("behind-lb", "/ip", b -> b.header("x-forwarded-for", "5.5.5.5")).statusCode())
        .isEqualTo(200); // one permit back after the interval
  }

  @Test
  void headerKeysAreLimitedSeparatelyAndTheRouteLimitCapsThemAll() throws Exception {
    assertThat(call("public", "/key", b -> b.header("x-api-key", "a")).statusCode()).isEqualTo(200);
    assertThat(call("public", "/key", b -> b.header("x-api-key", "a")).statusCode()).isEqualTo(429);
    // rotating keys gets past the per-key limit, but not past the route's limit of 5
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String key = "k" + i;
      statuses.add(call("public", "/key", b -> b.header("x-api-key", key)).statusCode());
    }
    assertThat(statuses.subList(0, 4)).containsOnly(200);
    assertThat(statuses.subList(4, 8)).containsOnly(429);
    time.advance(Duration.ofSeconds(10));
    assertThat(call("public", "/key", b -> b.header("x-api-key", "a")).statusCode()).isEqualTo(200);
  }

  static String tenantToken(String tenant) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("h1").build(),
            new JWTClaimsSet.Builder()
                .issuer("https://issuer.test")
                .audience("api")
                .claim("tenant", tenant)
                .expirationTime(new Date(time.clock().wallMillis() + 600_000))
                .build());
    jwt.sign(new MACSigner(hmac));
    return jwt.serialize();
  }

  @Test
  void perClaimLimitCountsEachTenantSeparately() throws Exception {
    String t1 = tenantToken("t1");
    String t2 = tenantToken("t2");
    assertThat(
            call("public", "/tenant", b -> b.header("authorization", "Bearer " + t1)).statusCode())
        .isEqualTo(200);
    assertThat(
            call("public", "/tenant", b -> b.header("authorization", "Bearer " + t1)).statusCode())
        .isEqualTo(429);
    assertThat(
            call("public", "/tenant", b -> b.header("authorization", "Bearer " + t2)).statusCode())
        .isEqualTo(200);
    // no token: refused by the JWT stage before any limit is spent
    assertThat(call("public", "/tenant", b -> {}).statusCode()).isEqualTo(401);
  }

  @Test
  void overTheConcurrencyLimitAnswers503AndAFreedPermitAdmitsAgain() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      inFlight.add(
          CLIENT.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.port("public") + "/slow/" + i))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    HttpServerRequest one = holding.poll(10, TimeUnit.SECONDS);
    HttpServerRequest two = holding.poll(10, TimeUnit.SECONDS);
    assertThat(one).isNotNull();
    assertThat(two).isNotNull();
    // the two may reach the upstream in either order (two connections): first is /slow/0's
    HttpServerRequest first = one.path().endsWith("/0") ? one : two;
    HttpServerRequest second = first == one ? two : one;
    assertThat(first.path()).endsWith("/slow/0");
    HttpResponse<String> shed = call("public", "/slow/3", b -> {});
    assertThat(shed.statusCode()).isEqualTo(503);
    assertThat(shed.body()).contains("urn:bulwark:gateway:concurrency-limit");
    assertThat(holding).isEmpty(); // the shed request never reached the upstream
    first.response().end("one");
    assertThat(inFlight.get(0).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    CompletableFuture<HttpResponse<String>> next =
        CLIENT.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.port("public") + "/slow/4"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpServerRequest fourth = holding.poll(10, TimeUnit.SECONDS);
    assertThat(fourth).as("a freed permit admits the next request").isNotNull();
    second.response().end("two");
    fourth.response().end("four");
    assertThat(inFlight.get(1).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(next.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  static String exchange(Socket s, String path) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nhost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      head.append((char) c);
      if (head.toString().endsWith("\r\n\r\n")) {
        String h = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = h.indexOf("content-length:");
        int len = Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).strip());
        in.readNBytes(len);
        return head.toString();
      }
    }
    return head.isEmpty() ? "EOF" : "EOF after " + head;
  }

  /** What a refused connection gets: the wire guard's 503 and the close, or just the close. */
  static String refused(Socket s) throws Exception {
    s.setSoTimeout(10_000);
    try {
      s.getOutputStream()
          .write("GET /c3 HTTP/1.1\r\nhost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    } catch (java.io.IOException closedAlready) {
      // the guard may have closed the connection before the request was written
    }
    try {
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    } catch (java.net.SocketException reset) {
      return "";
    }
  }

  @Test
  void aClientsThirdConnectionIsRefusedWhileOthersAndLaterOnesAreServed() throws Exception {
    int port = gateway.port("few");
    int hitsBefore = upstream.hits.get();
    try (Socket one = new Socket(java.net.InetAddress.getLoopbackAddress(), port);
        Socket two = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      assertThat(exchange(one, "/c1")).startsWith("HTTP/1.1 200");
      assertThat(exchange(two, "/c2")).startsWith("HTTP/1.1 200");
      try (Socket three = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
        String answer = refused(three);
        assertThat(answer.isEmpty() || answer.startsWith("HTTP/1.1 503"))
            .as("refused connection got: %s", answer)
            .isTrue();
        assertThat(answer).doesNotContain("HTTP/1.1 200");
      }
      // the first two still work on their kept-alive connections
      assertThat(exchange(one, "/c1b")).startsWith("HTTP/1.1 200");
      assertThat(upstream.hits.get()).isEqualTo(hitsBefore + 3); // /c3 never went upstream
    }
    // both closed: a new connection is served once the gateway has seen the closes
    String answer = "EOF";
    for (int i = 0; i < 100 && !answer.startsWith("HTTP/1.1 200"); i++) {
      try (Socket again = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
        again.setSoTimeout(10_000);
        answer = exchange(again, "/c4");
      } catch (java.io.IOException e) {
        answer = "EOF " + e;
      }
    }
    assertThat(answer).startsWith("HTTP/1.1 200");
    // another listener without a tight limit is not affected by this one's count
    assertThat(call("public", "/anything", b -> {}).statusCode()).isEqualTo(200);
  }
}
