package io.bulwark.gateway.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.bulwark.core.time.Clock;
import io.bulwark.gateway.RouteSecurity;
import io.vertx.core.Future;
import java.io.IOException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWT validation ({@link RouteSecurity.Jwt}). Every refusal is a 401 with {@code
 * WWW-Authenticate: Bearer} and the same body, whatever the reason (the reason is logged at debug
 * level, never sent). Order: header present, size, parse, algorithm allowed (never {@code none}),
 * no key-locating headers ({@code jku} only if it is the configured URL), signature with a key of
 * the matching type, then {@code iss}, {@code aud}, {@code exp}, {@code nbf} and required claims.
 */
final class JwtStage implements Admission {
  private static final Logger LOG = LoggerFactory.getLogger(JwtStage.class);
  static final String CLAIMS = "jwt.claims";

  private final String route;
  private final RouteSecurity.Jwt config;
  private final JwksSource keys;
  private final Clock clock;
  private final Map<String, String> challenge;
  private final Map<String, String> invalidChallenge;

  JwtStage(String route, RouteSecurity.Jwt config, JwksSource keys, Clock clock) {
    this.route = route;
    this.config = config;
    this.keys = keys;
    this.clock = clock;
    String realm = "realm=\"" + route.replace("\"", "") + "\"";
    this.challenge = Map.of("www-authenticate", "Bearer " + realm);
    this.invalidChallenge =
        Map.of("www-authenticate", "Bearer " + realm + ", error=\"invalid_token\"");
  }

  static JwtStage of(String route, RouteSecurity.Jwt config, Clock clock) {
    JwksSource source;
    if (config.jwksUrl() != null) {
      source =
          JwksSource.remote(
              Objects.requireNonNull(config.jwksUrl()),
              config.refreshMinInterval(),
              config.cacheTtl(),
              clock);
    } else {
      try {
        source = JwksSource.fixed(JWKSet.parse(Objects.requireNonNull(config.keys())), clock);
      } catch (ParseException e) {
        throw new IllegalArgumentException(
            "route " + route + ": jwt keys are not a JWK set: " + e.getMessage(), e);
      }
    }
    return new JwtStage(route, config, source, clock);
  }

  JwksSource keys() {
    return keys;
  }

  @Override
  public String name() {
    return "jwt";
  }

  /** Why a token was refused (logged only). */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    final String why;
    final boolean missing;

    Refused(String why) {
      this(why, false);
    }

    Refused(String why, boolean missing) {
      super(why, null, false, false);
      this.why = why;
      this.missing = missing;
    }
  }

  @Override
  public Future<Verdict> admit(AdmissionHead head) {
    SignedJWT jwt;
    try {
      jwt = parse(head);
    } catch (Refused e) {
      return Future.succeededFuture(refuse(head, e.why, e.missing));
    }
    JWKSet held = keys.cached();
    String kid = jwt.getHeader().getKeyID();
    if (held != null && (keys.url() == null || !candidates(jwt.getHeader(), held).isEmpty())) {
      return Future.succeededFuture(verify(head, jwt, held));
    }
    // unknown kid or no keys yet: fetch (rate-limited) on a virtual thread
    return head.blocking(
        () -> {
          JWKSet fresh;
          try {
            fresh = keys.refresh();
          } catch (IOException e) {
            LOG.warn("route {}: no JWKS to verify with: {}", route, e.toString());
            return Verdict.deny(
                503,
                "jwks-unavailable",
                "the keys to verify tokens with are unavailable",
                Map.of("retry-after", "5"));
          }
          if (kid != null && candidates(jwt.getHeader(), fresh).isEmpty()) {
            return refuse(head, "unknown kid " + kid, false);
          }
          return verify(head, jwt, fresh);
        });
  }

  private SignedJWT parse(AdmissionHead head) throws Refused {
    List<String> values = head.headers().getAll("authorization");
    if (values.isEmpty()) {
      throw new Refused("no authorization header", true);
    }
    if (values.size() > 1) {
      throw new Refused("more than one authorization header");
    }
    String value = values.getFirst();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Refused("not a bearer authorization");
    }
    String token = value.substring(7).strip();
    if (token.length() > config.maxTokenBytes()) {
      throw new Refused("token of " + token.length() + " bytes over " + config.maxTokenBytes());
    }
    if (token.chars().filter(c -> c == '.').count() != 2) {
      throw new Refused("not a compact JWS (three parts)");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      throw new Refused("malformed token: " + e.getMessage());
    }
    JWSHeader h = jwt.getHeader();
    JWSAlgorithm alg = h.getAlgorithm();
    if (alg == null || !config.algorithms().contains(alg.getName())) {
      throw new Refused("algorithm " + alg + " not accepted");
    }
    if (h.getJWKURL() != null && !h.getJWKURL().equals(keys.url())) {
      throw new Refused("jku " + h.getJWKURL() + " is not the configured JWKS URL");
    }
    if (h.getX509CertURL() != null || h.getJWK() != null || h.getX509CertChain() != null) {
      throw new Refused("token names its own key (x5u, jwk or x5c header)");
    }
    return jwt;
  }

  /** The keys of {@code set} that may verify a token with {@code header}: kid, use, type, alg. */
  static List<JWK> candidates(JWSHeader header, JWKSet set) {
    JWSAlgorithm alg = header.getAlgorithm();
    String kid = header.getKeyID();
    List<JWK> out = new ArrayList<>();
    for (JWK k : set.getKeys()) {
      if (kid != null && !kid.equals(k.getKeyID())) {
        continue;
      }
      if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
        continue;
      }
      if (k.getAlgorithm() != null && !k.getAlgorithm().getName().equals(alg.getName())) {
        continue;
      }
      boolean fits =
          (JWSAlgorithm.Family.RSA.contains(alg) && k instanceof RSAKey)
              || (JWSAlgorithm.Family.EC.contains(alg) && k instanceof ECKey)
              || (JWSAlgorithm.Family.HMAC_SHA.contains(alg) && k instanceof OctetSequenceKey);
      if (fits) {
        out.add(k);
      }
    }
    return out;
  }

  private Verdict verify(AdmissionHead head, SignedJWT jwt, JWKSet set) {
    boolean verified = false;
    for (JWK k : candidates(jwt.getHeader(), set)) {
      try {
        JWSVerifier verifier =
            switch (k) {
              case RSAKey rsa -> new RSASSAVerifier(rsa);
              case ECKey ec -> new ECDSAVerifier(ec);
              case OctetSequenceKey oct -> new MACVerifier(oct);
              default -> null;
            };
        if (verifier != null && jwt.verify(verifier)) {
          verified = true;
          break;
        }
      } catch (JOSEException | RuntimeException e) {
        LOG.debug("route {}: key {} cannot verify: {}", route, k.getKeyID(), e.toString());
      }
    }
    if (!verified) {
      return refuse(head, "signature does not verify with any configured key", false);
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return refuse(head, "claims are not a JSON object", false);
    }
    String problem = checkClaims(claims);
    if (problem != null) {
      return refuse(head, problem, false);
    }
    head.attribute(CLAIMS, claims);
    Map<String, String> forwarded = new LinkedHashMap<>();
    config
        .claimHeaders()
        .forEach(
            (claim, header) -> {
              Object v = claims.getClaim(claim);
              if (v != null) {
                forwarded.put(header, headerValue(v));
              }
            });
    return Verdict.modify(forwarded, List.copyOf(config.claimHeaders().values()));
  }

  @SuppressWarnings("JavaUtilDate") // nimbus's claims API speaks java.util.Date
  private @Nullable String checkClaims(JWTClaimsSet claims) {
    if (!config.issuer().equals(claims.getIssuer())) {
      return "issuer " + claims.getIssuer() + " is not " + config.issuer();
    }
    List<String> aud = claims.getAudience();
    if (aud == null || aud.stream().noneMatch(config.audiences()::contains)) {
      return "audience " + aud + " has none of " + config.audiences();
    }
    long now = clock.wallMillis();
    long skew = config.clockSkew().toMillis();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return "no exp claim";
    }
    if (now - skew >= exp.getTime()) {
      return "expired at " + exp.toInstant();
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now + skew < nbf.getTime()) {
      return "not valid before " + nbf.toInstant();
    }
    for (String c : config.requiredClaims()) {
      if (claims.getClaim(c) == null) {
        return "required claim " + c + " missing";
      }
    }
    return null;
  }

  private static String headerValue(Object v) {
    String s =
        v instanceof List<?> l
            ? String.join(" ", l.stream().map(String::valueOf).toList())
            : String.valueOf(v);
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length() && b.length() < 1024; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? ' ' : c); // no CR/LF injection through a claim
    }
    return b.toString();
  }

  private Verdict refuse(AdmissionHead head, String why, boolean missing) {
    LOG.debug(
        "route {}: token refused from {}: {}",
        route,
        head.clientIp(),
        why.toLowerCase(Locale.ROOT));
    return Verdict.deny(
        401,
        "unauthorized",
        "a valid bearer token is required",
        missing ? challenge : invalidChallenge);
  }
}
