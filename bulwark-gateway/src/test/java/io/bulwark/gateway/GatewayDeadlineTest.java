package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every proxied request carries a deadline downstream: the route's timeout from arrival, shortened
 * (never extended) by the client's own {@code bulwark-deadline}; retries stop at the deadline and a
 * request whose deadline passed while it awaited admission never reaches the upstream. Time is
 * virtual: the upstream and the key server move it forward to play slow services.
 */
@SuppressWarnings("JavaUtilDate") // nimbus's claims builder takes java.util.Date
class GatewayDeadlineTest {
  static Vertx vertx;
  static Upstream up;
  static HttpServer jwksServer;
  static ECKey key;
  static VirtualScheduler time;
  static Gateway gateway;
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    time = new VirtualScheduler();
    up = new Upstream(vertx, "up", GatewayDeadlineTest::serve);
    key = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    String keys = new JWKSet(List.of(key.toPublicJWK())).toString();
    jwksServer =
        vertx
            .createHttpServer()
            .requestHandler(
                r -> {
                  time.virtualClock().advance(Duration.ofSeconds(3)); // a slow key server
                  r.response().putHeader("content-type", "application/json").end(keys);
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    String yaml =
        """
        listeners:
          public: {port: 0}
          trusting: {port: 0, trusted-proxies: [127.0.0.0/8]}
        admin: {port: 0}
        clusters:
          up:
            endpoints: [%s]
            egress-allow: [loopback]
            retry-budget: {ratio: 1.0, min-retries-per-second: 100}
        routes:
          signed:
            match: {path-prefix: /signed}
            cluster: up
            timeout: 2s
            jwt:
              issuer: deadline-test
              audiences: [api]
              jwks-url: http://127.0.0.1:%d/jwks
              algorithms: [ES256]
          guarded:
            match: {path-prefix: /guarded}
            cluster: up
            timeout: 1s   # real time: an answer of /guarded/ok must make it on a loaded machine
            retry: {attempts: 1}
            circuit-breaker: {failure-rate-threshold: 50, minimum-calls: 3, wait-in-open: 60s}
          api:
            match: {path-prefix: /}
            cluster: up
            timeout: 5s
            retry: {attempts: 3, on-status: [503]}
        """
            .formatted(up.endpoint(), jwksServer.actualPort());
    gateway =
        Gateway.builder(
                ConfigLoader.withEnv(Map.of()).parse(yaml, "deadline.yaml", GatewayConfig::bind))
            .vertx(vertx)
            .scheduler(time)
            .start();
  }

  /** {@code /slow503} takes 3 s and answers 503; {@code /late503} 6 s; /hang never; else 200. */
  private static void serve(HttpServerRequest r) {
    String path = r.path();
    if (path.endsWith("/hang")) {
      return;
    }
    if (path.endsWith("/shed")) { // a Bulwark service shedding a request whose deadline passed
      time.virtualClock().advance(Duration.ofMillis(1_100)); // past the guarded route's 1 s
      r.response().setStatusCode(504).end("deadline");
      return;
    }
    if (path.endsWith("/slow503")) {
      time.virtualClock().advance(Duration.ofSeconds(3));
      r.response().setStatusCode(503).end("busy");
    } else if (path.endsWith("/late503")) {
      time.virtualClock().advance(Duration.ofSeconds(6));
      r.response().setStatusCode(503).end("busy");
    } else {
      r.response().end("ok");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @BeforeEach
  void clear() {
    up.seen.clear();
  }

  @Test
  void withoutAClientDeadlineTheUpstreamGetsTheRouteTimeout() throws Exception {
    assertThat(call("public", "/a", b -> {}).statusCode()).isEqualTo(200);
    assertThat(deadlinesSeen()).containsExactly("5000");
  }

  @Test
  void aClientMayShortenItsDeadlineButNeverExtendIt() throws Exception {
    for (String listener : List.of("public", "trusting")) {
      call(listener, "/short", b -> b.header("bulwark-deadline", "1500"));
      call(listener, "/blank", b -> b.header("bulwark-deadline", " 1200 "));
      call(listener, "/long", b -> b.header("bulwark-deadline", "60000"));
      call(listener, "/max", b -> b.header("bulwark-deadline", "999999999999999999"));
    }
    assertThat(deadlinesSeen())
        .containsExactly("1500", "1200", "5000", "5000", "1500", "1200", "5000", "5000");
  }

  @Test
  void aMalformedDeadlineIsRefused400NamingItAndNeverForwarded() throws Exception {
    for (String bad : List.of("abc", "-5", "1e3", "12.5", "1234567890123456789", "")) {
      HttpResponse<String> r = call("public", "/bad", b -> b.header("bulwark-deadline", bad));
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(r.body())
          .contains("urn:bulwark:gateway:bad-deadline")
          .contains("bulwark-deadline \\\"" + bad + "\\\"");
    }
    assertThat(up.seen).isEmpty();
  }

  @Test
  void aDeadlineOfZeroIsAnswered504WithoutGoingUpstream() throws Exception {
    HttpResponse<String> r = call("public", "/zero", b -> b.header("bulwark-deadline", "0"));
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("deadline-exceeded");
    assertThat(up.seen).isEmpty();
  }

  @Test
  void aRetryGetsWhatIsLeftOfTheDeadlineAndNoneStartsAfterIt() throws Exception {
    // attempts: 3 allows two retries; the first 503 comes at 3 s, the second at 6 s (> 5 s)
    HttpResponse<String> r = call("public", "/slow503", b -> {});
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(deadlinesSeen()).containsExactly("5000", "2000");
  }

  @Test
  void noRetryStartsOnceTheDeadlineHasPassed() throws Exception {
    HttpResponse<String> r = call("public", "/late503", b -> {});
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(deadlinesSeen()).containsExactly("5000");
    // the control: an answer within the deadline is retried
    up.seen.clear();
    assertThat(call("public", "/slow503", b -> b.header("bulwark-deadline", "4000")).statusCode())
        .isEqualTo(503);
    assertThat(deadlinesSeen()).containsExactly("4000", "1000");
  }

  @Test
  void aDeadlinePassedWhileAwaitingAdmissionIsAnswered504WithoutGoingUpstream() throws Exception {
    // the first signed request fetches the key set, which takes 3 s: past the route's 2 s
    String token = token();
    HttpResponse<String> late = call("public", "/signed/a", b -> b.header("authorization", token));
    assertThat(late.statusCode()).isEqualTo(504);
    assertThat(late.body()).contains("deadline-exceeded").contains("admission");
    assertThat(up.seen).isEmpty();
    // the keys are cached now: the same request is admitted at once and goes upstream
    HttpResponse<String> ok = call("public", "/signed/a", b -> b.header("authorization", token));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(deadlinesSeen()).containsExactly("2000");
  }

  @Test
  void aClientsShortDeadlineDoesNotOpenTheRoutesCircuitButTheRouteTimeoutDoes() throws Exception {
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r =
          call("public", "/guarded/hang", b -> b.header("bulwark-deadline", "20"));
      assertThat(r.statusCode()).isEqualTo(504);
      assertThat(r.body()).contains("client's bulwark-deadline");
    }
    for (int i = 0; i < 4; i++) { // the client's deadline equals the route's: still the client's
      HttpResponse<String> r =
          call("public", "/guarded/shed", b -> b.header("bulwark-deadline", "1000"));
      assertThat(r.statusCode()).isEqualTo(504);
    }
    assertThat(call("public", "/guarded/ok", b -> {}).statusCode())
        .as("impatient clients cannot open the circuit for everyone")
        .isEqualTo(200);
    // two of three calls failed by the route's own timeout: 67 % over the 50 % threshold
    for (int i = 0; i < 2; i++) {
      assertThat(call("public", "/guarded/hang", b -> {}).statusCode()).isEqualTo(504);
    }
    HttpResponse<String> shed = call("public", "/guarded/ok", b -> {});
    assertThat(shed.statusCode()).isEqualTo(503);
    assertThat(shed.body()).contains("circuit-open");
  }

  private static String token() throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer("deadline-test")
            .audience("api")
            .subject("alice")
            .expirationTime(new Date(time.clock().wallMillis() + 600_000))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").type(JOSEObjectType.JWT).build(),
            claims);
    jwt.sign(new ECDSASigner(key));
    return "Bearer " + jwt.serialize();
  }

  private static List<String> deadlinesSeen() {
    return up.seen.stream().map(s -> String.valueOf(s.headers().get("bulwark-deadline"))).toList();
  }

  private static HttpResponse<String> call(
      String listener, String path, Consumer<HttpRequest.Builder> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port(listener) + path))
            .timeout(Duration.ofSeconds(20));
    headers.accept(b);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
