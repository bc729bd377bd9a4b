package io.bulwark.examples.shop.identity;

import io.bulwark.core.time.Clock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * Issues the shop's customer tokens: compact ES256 JWTs (P-256, signature as {@code r || s}) with
 * {@code iss} {@value #ISSUER}, {@code aud} {@value #AUDIENCE}, {@code sub} the customer id, {@code
 * iat}/{@code nbf} now and {@code exp} now + the time to live, all on the injected clock. The key
 * pair is generated when the issuer is made (one per run of the identity service) and never leaves
 * it; {@link #jwks()} publishes the public half with its {@code kid}. Thread-safe.
 */
public final class TokenIssuer {
  /** The {@code iss} of every token, as the gateway's routes require it. */
  public static final String ISSUER = "shop-identity";

  /** The {@code aud} of every token. */
  public static final String AUDIENCE = "shop";

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final KeyPair keys;
  private final String kid;
  private final Clock clock;
  private final Duration ttl;

  private TokenIssuer(KeyPair keys, Clock clock, Duration ttl) {
    this.keys = keys;
    this.clock = clock;
    this.ttl = ttl;
    this.kid = kidOf((ECPublicKey) keys.getPublic());
  }

  /**
   * An issuer with a fresh P-256 key pair.
   *
   * @param ttl how long a token is valid, 1 s to 1 h
   */
  public static TokenIssuer generate(Clock clock, Duration ttl) {
    Objects.requireNonNull(clock, "clock");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("token ttl must be 1s to 1h, was " + ttl);
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return new TokenIssuer(generator.generateKeyPair(), clock, ttl);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot generate a P-256 key pair", e);
    }
  }

  /** The key id written in every token's header and in the JWKS. */
  public String kid() {
    return kid;
  }

  public Duration ttl() {
    return ttl;
  }

  /** A signed token for {@code customer} (an id already checked by the caller). */
  public String issue(String customer) {
    long now = clock.wallMillis() / 1000;
    String header = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
    String claims =
        "{\"iss\":\""
            + ISSUER
            + "\",\"aud\":\""
            + AUDIENCE
            + "\",\"sub\":\""
            + customer
            + "\",\"iat\":"
            + now
            + ",\"nbf\":"
            + now
            + ",\"exp\":"
            + (now + ttl.toSeconds())
            + ",\"jti\":\""
            + UUID.randomUUID()
            + "\"}";
    String signingInput = encode(header) + "." + encode(claims);
    return signingInput + "." + B64.encodeToString(sign(signingInput));
  }

  /** The JWKS document with the public key: {@code {"keys":[{"kty":"EC",...}]}}. */
  public String jwks() {
    ECPublicKey pub = (ECPublicKey) keys.getPublic();
    return "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\",\"alg\":\"ES256\",\"kid\":\""
        + kid
        + "\",\"x\":\""
        + B64.encodeToString(coordinate(pub.getW().getAffineX()))
        + "\",\"y\":\""
        + B64.encodeToString(coordinate(pub.getW().getAffineY()))
        + "\"}]}";
  }

  private byte[] sign(String signingInput) {
    try {
      Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
      signature.initSign(keys.getPrivate());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ES256 signing failed", e);
    }
  }

  private static String encode(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A P-256 coordinate as exactly 32 big-endian bytes (RFC 7518 §6.2.1.2). */
  private static byte[] coordinate(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[32];
    int from = Math.max(0, raw.length - 32);
    System.arraycopy(raw, from, out, 32 - (raw.length - from), raw.length - from);
    return out;
  }

  private static String kidOf(ECPublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return B64.encodeToString(Arrays.copyOf(digest, 12));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
