package io.bulwark.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.bulwark.core.config.ConfigLoader;
import io.bulwark.test.VirtualScheduler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * JWT validation over real loopback: a JWKS server, an upstream and the gateway, with keys made
 * here. Each attack case is its own test, next to a control token that differs only in the attack
 * and is accepted, so a 401 proves the attack was what got refused.
 */
@SuppressWarnings("JavaUtilDate") // nimbus's claims builder takes java.util.Date
class GatewayJwtTest {
  static final String ISSUER = "https://issuer.test";
  static final String GENERIC_BODY =
      "{\"type\":\"urn:bulwark:gateway:unauthorized\",\"status\":401,"
          + "\"detail\":\"a valid bearer token is required\"}";
  static Vertx vertx;
  static Upstream upstream;
  static HttpServer jwksServer;
  static final AtomicReference<String> jwks = new AtomicReference<>();
  static final AtomicInteger jwksHits = new AtomicInteger();
  static RSAKey k1;
  static RSAKey k2;
  static ECKey ec;
  static RSAKey attacker;
  static VirtualScheduler time;
  static Gateway gateway;
  static String jwksUrl;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = new Upstream(vertx, "api");
    k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
    k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
    attacker = new RSAKeyGenerator(2048).keyID("k1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    jwks.set(new JWKSet(List.of(k1.toPublicJWK(), ec.toPublicJWK())).toString());
    jwksServer =
        vertx
            .createHttpServer()
            .requestHandler(
                r -> {
                  jwksHits.incrementAndGet();
                  r.response().putHeader("content-type", "application/json").end(jwks.get());
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    jwksUrl = "http://127.0.0.1:" + jwksServer.actualPort() + "/jwks";
    time = new VirtualScheduler();
    String staticKeys = new JWKSet(k1.toPublicJWK()).toString();
    String yaml =
        """
        listeners:
          public: {port: 0}
        clusters:
          api: {endpoints: [%s], egress-allow: [loopback]}
        routes:
          api:
            match: {path-prefix: /api}
            cluster: api
            jwt:
              issuer: %s
              audiences: [orders]
              jwks-url: %s
              clock-skew: 30s
              max-token-bytes: 2048
              required-claims: [sub, tenant]
              claim-headers: {sub: x-user-sub, tenant: x-tenant}
              refresh-min-interval: 30s
          mixed:
            match: {path-prefix: /mixed}
            cluster: api
            jwt:
              issuer: %s
              audiences: [orders]
              keys: '%s'
              algorithms: [RS256, HS256]
        """
            .formatted(upstream.endpoint(), ISSUER, jwksUrl, ISSUER, staticKeys);
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

  @BeforeEach
  void clear() {
    upstream.seen.clear();
  }

  static long now() {
    return time.clock().wallMillis();
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience("orders")
        .subject("alice")
        .claim("tenant", "t1")
        .expirationTime(new Date(now() + 60_000));
  }

  static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
    return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()), key, claims);
  }

  static String sign(JWSHeader.Builder header, RSAKey key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(header.type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  static HttpResponse<String> call(String path, Consumer<HttpRequest.Builder> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port("public") + path));
    headers.accept(b);
    upstream.seen.clear(); // assertRefused checks that this call reached no upstream
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> bearer(String path, String token) throws Exception {
    return call(path, b -> b.header("authorization", "Bearer " + token));
  }

  static void assertRefused(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    String realm = r.uri().getPath().startsWith("/mixed") ? "mixed" : "api";
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"" + realm + "\", error=\"invalid_token\"");
    assertThat(r.body()).isEqualTo(GENERIC_BODY); // the same body whatever the reason: no leak
    assertThat(upstream.seen).isEmpty();
  }

  @Test
  void aValidTokenPassesWithItsClaimsForwardedAndForgedClaimHeadersStripped() throws Exception {
    String token = rs256(k1, claims().build());
    HttpResponse<String> r =
        call(
            "/api/orders",
            b ->
                b.header("authorization", "Bearer " + token)
                    .header("x-user-sub", "admin")
                    .header("x-tenant", "t-other"));
    assertThat(r.statusCode()).isEqualTo(200);
    Upstream.Seen seen = upstream.seen.poll();
    assertThat(seen).isNotNull();
    assertThat(seen.headers().getAll("x-user-sub")).containsExactly("alice");
    assertThat(seen.headers().getAll("x-tenant")).containsExactly("t1");

    {
      SignedJWT es =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(), claims().build());
      es.sign(new ECDSASigner(ec));
      assertThat(bearer("/api/x", es.serialize()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void noTokenGetsAChallengeWithoutError() throws Exception {
    HttpResponse<String> r = call("/api/orders", b -> {});
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"api\"");
    assertThat(r.body()).isEqualTo(GENERIC_BODY);
    assertThat(upstream.seen).isEmpty();
    // forged claim headers without a token do not get through either
    assertRefused(call("/api/orders", b -> b.header("authorization", "Basic YWxpY2U6cHc=")));
  }

  @Test
  void algNoneIsRefused() throws Exception {
    String unsigned = new PlainJWT(claims().build()).serialize();
    assertRefused(bearer("/api/a", unsigned));
    // none with a kid and a real signature glued on
    String real = rs256(k1, claims().build());
    String noneHeader =
        Base64URL.encode("{\"alg\":\"none\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8))
            .toString();
    String[] parts = real.split("\\.", -1);
    assertRefused(bearer("/api/a", noneHeader + "." + parts[1] + "." + parts[2]));
    assertRefused(bearer("/api/a", noneHeader + "." + parts[1] + "."));
    assertThat(bearer("/api/a", real).statusCode()).isEqualTo(200); // control
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyIsRefused() throws Exception {
    JWTClaimsSet c = claims().build();
    byte[] der = k1.toRSAPublicKey().getEncoded();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der)
            + "\n-----END PUBLIC KEY-----\n";
    for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.US_ASCII))) {
      SignedJWT forged =
          new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), c);
      forged.sign(new MACSigner(secret));
      // a route that accepts only asymmetric algorithms
      assertRefused(bearer("/api/a", forged.serialize()));
      // a route that accepts HS256 too: the RSA key is never used as an HMAC secret
      assertRefused(bearer("/mixed/a", forged.serialize()));
    }
    assertThat(bearer("/mixed/a", rs256(k1, c)).statusCode()).isEqualTo(200); // control
  }

  @Test
  void jkuX5uAndEmbeddedJwkHeadersAreRefused() throws Exception {
    JWTClaimsSet c = claims().build();
    URI elsewhere = URI.create("http://attacker.test/jwks.json");
    assertRefused(
        bearer(
            "/api/a",
            sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").jwkURL(elsewhere), k1, c)));
    assertRefused(
        bearer(
            "/api/a",
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").x509CertURL(elsewhere),
                k1,
                c)));
    // the attacker's own key embedded in the header, token signed with it
    assertRefused(
        bearer(
            "/api/a",
            sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(attacker.toPublicJWK()),
                attacker,
                c)));
    // the attacker's key under a known kid
    assertRefused(bearer("/api/a", rs256(attacker, c)));
    // control: jku naming the configured JWKS URL is fine
    assertThat(
            bearer(
                    "/api/a",
                    sign(
                        new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID("k1")
                            .jwkURL(URI.create(jwksUrl)),
                        k1,
                        c))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void oversizedTokensAreRefusedBeforeParsing() throws Exception {
    String fits = rs256(k1, claims().claim("pad", "x".repeat(1000)).build());
    assertThat(fits.length()).isLessThanOrEqualTo(2048);
    assertThat(bearer("/api/a", fits).statusCode()).isEqualTo(200);
    String big = rs256(k1, claims().claim("pad", "x".repeat(1500)).build());
    assertThat(big.length()).isGreaterThan(2048);
    assertRefused(bearer("/api/a", big));
  }

  @Test
  void malformedTokensAreRefused() throws Exception {
    String real = rs256(k1, claims().build());
    String[] p = real.split("\\.", -1);
    for (String bad :
        List.of(
            "abc",
            "a.b",
            "a.b.c",
            "...",
            p[0] + "." + p[1],
            p[0] + "." + p[1] + "." + p[2] + ".x",
            "%%%." + p[1] + "." + p[2],
            p[0] + ".!!!." + p[2],
            Base64URL.encode("[1,2]").toString() + "." + p[1] + "." + p[2],
            p[0] + "." + Base64URL.encode("not json").toString() + "." + p[2],
            p[0] + "." + p[1] + "." + p[2].substring(0, p[2].length() - 4) + "AAAA")) {
      assertRefused(bearer("/api/a", bad));
    }
    assertRefused(call("/api/a", b -> b.header("authorization", "Bearer")));
  }

  @Test
  void issuerAudienceAndRequiredClaimsAreChecked() throws Exception {
    assertRefused(bearer("/api/a", rs256(k1, claims().issuer("https://evil.test").build())));
    assertRefused(bearer("/api/a", rs256(k1, claims().audience("billing").build())));
    assertRefused(bearer("/api/a", rs256(k1, claims().claim("tenant", null).build())));
    assertRefused(bearer("/api/a", rs256(k1, claims().expirationTime(null).build())));
    assertThat(
            bearer("/api/a", rs256(k1, claims().audience(List.of("billing", "orders")).build()))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void expiryAndNotBeforeHonourTheClockSkewOnTheInjectedClock() throws Exception {
    String token = rs256(k1, claims().expirationTime(new Date(now() + 10_000)).build());
    String early =
        rs256(
            k1,
            claims()
                .notBeforeTime(new Date(now() + 60_000))
                .expirationTime(new Date(now() + 600_000))
                .build());
    assertThat(bearer("/api/a", token).statusCode()).isEqualTo(200);
    assertRefused(bearer("/api/a", early)); // nbf 60 s ahead, skew 30 s
    time.advance(Duration.ofSeconds(31)); // now: nbf - 29 s, exp + 21 s
    assertThat(bearer("/api/a", token).statusCode()).isEqualTo(200); // within the skew
    assertThat(bearer("/api/a", early).statusCode()).isEqualTo(200);
    upstream.seen.clear();
    time.advance(Duration.ofSeconds(10)); // exp + 31 s
    assertRefused(bearer("/api/a", token));
  }

  @Test
  void anUnknownKidRefreshesTheKeySetOnceAndRandomKidsCannotHammerIt() throws Exception {
    time.advance(Duration.ofMinutes(1)); // past any earlier refresh
    String rotated = rs256(k2, claims().build());
    int before = jwksHits.get();
    assertRefused(bearer("/api/a", rotated)); // k2 not published yet: refetched, still unknown
    assertThat(jwksHits.get()).isEqualTo(before + 1);
    jwks.set(new JWKSet(List.of(k1.toPublicJWK(), k2.toPublicJWK(), ec.toPublicJWK())).toString());
    for (int i = 0; i < 20; i++) {
      RSAKey random = new RSAKey.Builder(k2).keyID(UUID.randomUUID().toString()).build();
      assertRefused(bearer("/api/a", rs256(random, claims().build())));
    }
    assertThat(jwksHits.get()).as("no fetch within refresh-min-interval").isEqualTo(before + 1);
    assertRefused(bearer("/api/a", rotated)); // still within the interval
    time.advance(Duration.ofSeconds(31));
    assertThat(bearer("/api/a", rotated).statusCode()).isEqualTo(200); // rotation picked up
    assertThat(jwksHits.get()).isEqualTo(before + 2);
    assertThat(bearer("/api/a", rs256(k1, claims().build())).statusCode()).isEqualTo(200);
    assertThat(jwksHits.get()).isEqualTo(before + 2); // known kids are served from the cache
  }
}
