package io.bulwark.gateway.internal;

import com.nimbusds.jwt.JWTClaimsSet;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.RouteSecurity;
import io.bulwark.resilience.KeyedRateLimiter;
import io.bulwark.resilience.RateLimiter;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One rate limit of a route on bulwark-resilience's keyed GCRA limiter (bounded key memory: at most
 * {@code max-keys} keys). Over the limit: 429 with {@code Retry-After} (whole seconds until the
 * next permit at the steady rate, at least 1).
 */
final class RateLimitStage implements Admission {
  private static final int LONGEST_KEY = 128;

  private final String route;
  private final RouteSecurity.RateLimit config;
  private final KeyedRateLimiter<String> limiter;
  private final Map<String, String> retryAfter;

  RateLimitStage(String route, RouteSecurity.RateLimit config, Scheduler scheduler) {
    this.route = route;
    this.config = config;
    this.limiter =
        RateLimiter.keyed(
            "gateway-" + route + "-" + config.name(), config.limit(), scheduler, config.maxKeys());
    long seconds = Math.max(1, (config.limit().intervalNanos() + 999_999_999L) / 1_000_000_000L);
    this.retryAfter = Map.of("retry-after", Long.toString(seconds));
  }

  KeyedRateLimiter<String> limiter() {
    return limiter;
  }

  @Override
  public String name() {
    return "rate-limit " + config.name();
  }

  @Override
  public Future<Verdict> admit(AdmissionHead head) {
    if (limiter.tryAcquire(key(head))) {
      return Future.succeededFuture(Verdict.ALLOW);
    }
    return Future.succeededFuture(
        Verdict.deny(
            429,
            "rate-limited",
            "rate limit " + config.name() + " of route " + route + " exceeded",
            retryAfter));
  }

  private String key(AdmissionHead head) {
    RouteSecurity.Key k = config.key();
    String name = k.name();
    String raw =
        switch (k.kind()) {
          case "ip" -> head.clientIp();
          case "header" -> orEmpty(name == null ? null : head.header(name));
          case "claim" -> claim(head, name);
          default -> "";
        };
    return raw.length() <= LONGEST_KEY ? raw : digest(raw); // a long key costs no more memory
  }

  private static String claim(AdmissionHead head, @Nullable String name) {
    Object claims = head.attribute(JwtStage.CLAIMS);
    if (name == null || !(claims instanceof JWTClaimsSet set)) {
      return "";
    }
    Object v = set.getClaim(name);
    return v == null ? "" : String.valueOf(v);
  }

  private static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  private static String digest(String raw) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(raw.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
