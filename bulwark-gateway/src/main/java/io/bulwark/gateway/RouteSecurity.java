package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.resilience.ConcurrencyLimiterConfig;
import io.bulwark.resilience.RateLimiterConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The admission checks of one route, run in this order on the request head before an upstream is
 * picked: {@code jwt} (401), {@code rate-limits} (429), {@code concurrency} (503), {@code wasm}
 * (the filter's verdict; 500/503 when it fails). YAML keys on the route: {@code jwt}, {@code
 * rate-limits}, {@code concurrency} (bulwark-resilience's adaptive limit keys), {@code wasm}.
 *
 * @param jwt bearer token validation, or null for none
 * @param rateLimits named rate limits, all of which must admit the request
 * @param concurrency the adaptive concurrency limit, or null for none
 * @param wasm a WebAssembly filter, or null for none
 */
public record RouteSecurity(
    @Nullable Jwt jwt,
    Map<String, RateLimit> rateLimits,
    @Nullable ConcurrencyLimiterConfig concurrency,
    @Nullable Wasm wasm) {

  /** No checks. */
  public static final RouteSecurity NONE = new RouteSecurity(null, Map.of(), null, null);

  public RouteSecurity {
    rateLimits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rateLimits));
    for (RateLimit limit : rateLimits.values()) {
      String claim = limit.key().claim();
      if (claim != null && (jwt == null || !jwt.requiredClaims().contains(claim))) {
        throw new IllegalArgumentException(
            "rate limit key claim:"
                + claim
                + " needs a jwt section that lists \""
                + claim
                + "\" in required-claims"
                + (jwt == null
                    ? " (the route has no jwt)"
                    : " (it lists " + jwt.requiredClaims() + ")"));
      }
    }
  }

  /** True if the route runs no check. */
  public boolean isEmpty() {
    return jwt == null && rateLimits.isEmpty() && concurrency == null && wasm == null;
  }

  /** The JWS algorithms a route may accept; {@code none} is never one of them. */
  public static final Set<String> ALGORITHMS =
      Set.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
          "HS256", "HS384", "HS512");

  /**
   * Bearer JWT validation. The signature must verify with a key of the configured set whose type
   * fits the token's algorithm (an RSA key is never used as an HMAC secret), the algorithm must be
   * listed, and {@code iss}, {@code aud}, {@code exp} (required) and {@code nbf} are checked
   * against the gateway's clock with {@code clockSkew}. Tokens with {@code jku}, {@code x5u},
   * {@code jwk} or {@code x5c} headers are refused unless {@code jku} names the configured JWKS
   * URL.
   *
   * @param issuer the required {@code iss}
   * @param audiences {@code aud} must contain one of them
   * @param jwksUrl where the key set is fetched (cached; refetched on an unknown {@code kid} at
   *     most once per {@code refreshMinInterval}, and after {@code cacheTtl}); null with static
   *     keys
   * @param keys a static JWKS document (JSON), or null with a URL
   * @param algorithms the accepted algorithms (default RS256, ES256)
   * @param clockSkew tolerance on {@code exp} and {@code nbf} (default 30 s, at most 5 min)
   * @param maxTokenBytes longer tokens are refused before parsing (default 8192)
   * @param requiredClaims claims that must be present (beyond iss, aud, exp)
   * @param claimHeaders claim → header sent upstream; these headers are always removed from the
   *     client's request first, so a client cannot forge them
   * @param refreshMinInterval the least time between two JWKS fetches (default 30 s)
   * @param cacheTtl how long a fetched JWKS is used before it is fetched again (default 10 min)
   */
  public record Jwt(
      String issuer,
      List<String> audiences,
      @Nullable URI jwksUrl,
      @Nullable String keys,
      Set<String> algorithms,
      Duration clockSkew,
      int maxTokenBytes,
      List<String> requiredClaims,
      Map<String, String> claimHeaders,
      Duration refreshMinInterval,
      Duration cacheTtl) {
    public Jwt {
      if (issuer.isBlank()) {
        throw new IllegalArgumentException("jwt issuer must not be blank");
      }
      if (audiences.isEmpty()) {
        throw new IllegalArgumentException("jwt needs at least one audience");
      }
      if ((jwksUrl == null) == (keys == null)) {
        throw new IllegalArgumentException("jwt needs exactly one of jwks-url or keys");
      }
      if (algorithms.isEmpty()) {
        throw new IllegalArgumentException("jwt needs at least one algorithm");
      }
      algorithms.forEach(Jwt::algorithm);
      if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("clock-skew must be 0 to 5m, was " + clockSkew);
      }
      ListenerConfig.positive("max-token-bytes", maxTokenBytes);
      ListenerConfig.positive("refresh-min-interval", refreshMinInterval);
      ListenerConfig.positive("cache-ttl", cacheTtl);
      audiences = List.copyOf(audiences);
      algorithms = Set.copyOf(algorithms);
      requiredClaims = List.copyOf(requiredClaims);
      Map<String, String> headers = new LinkedHashMap<>();
      claimHeaders.forEach(
          (claim, header) ->
              headers.put(
                  claim,
                  new RouteConfig.HeaderTransform(Map.of(header, ""), List.of())
                      .set()
                      .keySet()
                      .iterator()
                      .next()));
      claimHeaders = Map.copyOf(headers);
    }

    static String algorithm(String name) {
      if (name.equalsIgnoreCase("none")) {
        throw new IllegalArgumentException(
            "algorithm \"none\" is never accepted (unsigned tokens)");
      }
      if (!ALGORITHMS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown algorithm \""
                + name
                + "\" (known: "
                + String.join(", ", sorted(ALGORITHMS))
                + ")");
      }
      return name;
    }

    static Jwt bind(ConfigReader r) {
      String[] s = {"", ""};
      List<String> audiences = new ArrayList<>();
      @Nullable URI[] url = {null};
      Set<String> algorithms = new LinkedHashSet<>(List.of("RS256", "ES256"));
      Duration[] times = {Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(10)};
      int[] max = {8192};
      List<String> required = new ArrayList<>();
      Map<String, String> claimHeaders = new LinkedHashMap<>();
      @Nullable String[] keys = {null};
      r.require("issuer")
          .string("issuer", v -> s[0] = v)
          .strings("audiences", audiences::addAll)
          .string("jwks-url", v -> url[0] = jwksUrl(v))
          .string("keys", v -> keys[0] = v)
          .strings(
              "algorithms",
              l -> {
                algorithms.clear();
                l.forEach(a -> algorithms.add(algorithm(a)));
              })
          .duration("clock-skew", v -> times[0] = v)
          .integer("max-token-bytes", v -> max[0] = positive("max-token-bytes", v))
          .strings("required-claims", required::addAll)
          .duration("refresh-min-interval", v -> times[1] = v)
          .duration("cache-ttl", v -> times[2] = v);
      r.section(
          "claim-headers",
          c -> {
            for (String claim : List.copyOf(c.keys())) {
              c.string(claim, v -> claimHeaders.put(claim, v));
            }
            return claimHeaders;
          });
      if (!r.has("audiences")) {
        r.require("audiences");
      }
      if (!r.has("jwks-url") && !r.has("keys")) {
        r.reject("jwt needs jwks-url (a JWKS endpoint) or keys (a static JWKS document)");
      }
      return new Jwt(
          s[0].isBlank() ? "?" : s[0],
          audiences.isEmpty() ? List.of("?") : audiences,
          url[0],
          url[0] == null && keys[0] == null ? "{\"keys\":[]}" : url[0] != null ? null : keys[0],
          algorithms,
          times[0],
          max[0],
          required,
          claimHeaders,
          times[1],
          times[2]);
    }

    private static URI jwksUrl(String text) {
      try {
        URI uri = new URI(text);
        String scheme = uri.getScheme();
        if (scheme == null
            || !(scheme.equals("https") || scheme.equals("http"))
            || uri.getHost() == null) {
          throw new IllegalArgumentException(
              "jwks-url \"" + text + "\" must be an absolute http(s) URL with a host");
        }
        return uri;
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("jwks-url \"" + text + "\" is not a URL", e);
      }
    }
  }

  /**
   * What a rate limit counts per: the whole route, the client's IP (the peer, or the last untrusted
   * hop of {@code X-Forwarded-For} from a trusted proxy), a request header, or a JWT claim. Written
   * {@code route}, {@code ip}, {@code header:NAME} or {@code claim:NAME}.
   */
  public record Key(String kind, @Nullable String name) {
    public Key {
      switch (kind) {
        case "route", "ip" -> {
          if (name != null) {
            throw new IllegalArgumentException("key " + kind + " takes no name");
          }
        }
        case "header", "claim" -> {
          if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("key " + kind + ": needs a name");
          }
          name = kind.equals("header") ? name.toLowerCase(Locale.ROOT) : name;
        }
        default ->
            throw new IllegalArgumentException(
                "unknown rate limit key \""
                    + kind
                    + "\" (known: route, ip, header:NAME, claim:NAME)");
      }
    }

    /** The claim name of a {@code claim:} key, else null. */
    public @Nullable String claim() {
      return kind.equals("claim") ? name : null;
    }

    public static Key parse(String text) {
      int colon = text.indexOf(':');
      return colon < 0
          ? new Key(text.strip(), null)
          : new Key(text.substring(0, colon).strip(), text.substring(colon + 1).strip());
    }

    @Override
    public String toString() {
      return name == null ? kind : kind + ":" + name;
    }
  }

  /**
   * One rate limit: {@code limit} per {@code key}, at most {@code maxKeys} keys held (least used
   * keys evicted first: a client rotating keys cannot grow memory). Over the limit: 429 with {@code
   * Retry-After}. A request without the key (no header, say) is counted under one shared empty key.
   */
  public record RateLimit(String name, Key key, RateLimiterConfig limit, int maxKeys) {
    public RateLimit {
      ListenerConfig.positive("max-keys", maxKeys);
    }

    static RateLimit bind(String name, ConfigReader r) {
      @Nullable Key[] key = {null};
      int[] maxKeys = {10_000};
      r.require("key")
          .string("key", v -> key[0] = Key.parse(v))
          .integer("max-keys", v -> maxKeys[0] = positive("max-keys", v));
      RateLimiterConfig limit = RateLimiterConfig.bind(r);
      return new RateLimit(
          name, key[0] == null ? new Key("route", null) : key[0], limit, maxKeys[0]);
    }
  }

  /**
   * A WebAssembly filter on the request head (ABI in docs/gateway.md). The module is read and
   * checked when the config is loaded.
   *
   * @param module the .wasm file
   * @param sha256 the module's SHA-256 (hex), so that a changed module is a changed config
   * @param maxMemoryPages the most 64 KiB pages its memory may grow to (default 16 = 1 MiB)
   * @param timeout the longest a call of {@code on_request} may run (default 50 ms); then it is
   *     interrupted and the request fails closed
   * @param failureStatus the status when the filter traps or times out: 500 or 503 (default 503)
   */
  public record Wasm(
      Path module, String sha256, int maxMemoryPages, Duration timeout, int failureStatus) {
    public Wasm {
      if (maxMemoryPages < 1 || maxMemoryPages > 65536) {
        throw new IllegalArgumentException(
            "max-memory-pages must be 1 to 65536, was " + maxMemoryPages);
      }
      ListenerConfig.positive("timeout", timeout);
      if (failureStatus != 500 && failureStatus != 503) {
        throw new IllegalArgumentException(
            "failure-status must be 500 or 503, was " + failureStatus);
      }
    }

    /** A filter of {@code module} with its digest read now. */
    public static Wasm of(Path module, int maxMemoryPages, Duration timeout) {
      return new Wasm(module, digest(module), maxMemoryPages, timeout, 503);
    }

    static Wasm bind(ConfigReader r) {
      @Nullable Path[] module = {null};
      String[] sha = {""};
      int[] ints = {16, 503};
      Duration[] timeout = {Duration.ofMillis(50)};
      r.integer("max-memory-pages", v -> ints[0] = v)
          .duration("timeout", v -> timeout[0] = v)
          .integer("failure-status", v -> ints[1] = v);
      r.require("module")
          .string(
              "module",
              v -> {
                Path p = Path.of(v);
                sha[0] = digest(p);
                check(p, ints[0]);
                module[0] = p;
              });
      return new Wasm(
          module[0] == null ? Path.of("?") : module[0], sha[0], ints[0], timeout[0], ints[1]);
    }

    /**
     * Checks that {@code p} is a module the gateway can run: it parses, its memory starts within
     * {@code maxPages} and it exports {@code on_request}.
     */
    static void check(Path p, int maxPages) {
      com.dylibso.chicory.wasm.WasmModule m;
      try {
        m = com.dylibso.chicory.wasm.Parser.parse(p);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            p + " is not a valid WebAssembly module: " + e.getMessage(), e);
      }
      int initial =
          m.memorySection().isPresent() && m.memorySection().get().memoryCount() > 0
              ? m.memorySection().get().getMemory(0).limits().initialPages()
              : 0;
      if (initial > maxPages) {
        throw new IllegalArgumentException(
            p + " starts with " + initial + " memory pages, over max-memory-pages " + maxPages);
      }
      boolean exported = false;
      for (int i = 0; i < m.exportSection().exportCount(); i++) {
        if (m.exportSection().getExport(i).name().equals("on_request")) {
          exported = true;
        }
      }
      if (!exported) {
        throw new IllegalArgumentException(p + " exports no on_request function");
      }
    }

    static String digest(Path p) {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(p);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read WASM module " + p.toAbsolutePath() + ": " + e, e);
      }
      if (bytes.length < 8
          || bytes[0] != 0
          || bytes[1] != 'a'
          || bytes[2] != 's'
          || bytes[3] != 'm') {
        throw new IllegalArgumentException(p + " is not a WebAssembly binary (no \\0asm magic)");
      }
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static RouteSecurity bind(ConfigReader r) {
    Jwt jwt = r.section("jwt", Jwt::bind);
    Map<String, RateLimit> limits = r.namedSections("rate-limits", RateLimit::bind);
    ConcurrencyLimiterConfig concurrency = r.section("concurrency", ConcurrencyLimiterConfig::bind);
    Wasm wasm = r.section("wasm", Wasm::bind);
    Map<String, RateLimit> known = new LinkedHashMap<>();
    for (RateLimit l : limits.values()) {
      String claim = l.key().claim();
      if (claim != null && (jwt == null || !jwt.requiredClaims().contains(claim))) {
        r.reject(
            "rate-limits."
                + l.name()
                + ": unknown claim ref \"claim:"
                + claim
                + "\": the route's jwt must list \""
                + claim
                + "\" in required-claims");
      } else {
        known.put(l.name(), l);
      }
    }
    return new RouteSecurity(jwt, known, concurrency, wasm);
  }

  private static int positive(String field, int v) {
    ListenerConfig.positive(field, v);
    return v;
  }

  private static List<String> sorted(Set<String> names) {
    List<String> out = new ArrayList<>(names);
    out.sort(null);
    return out;
  }
}
