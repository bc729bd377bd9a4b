package io.bulwark.examples.shop.identity;

import io.bulwark.examples.shop.common.Ids;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The identity service: {@code POST /login} with {@code {"customer": ID, "password": P}} answers
 * {@code {"token": JWT, "tokenType": "Bearer", "expiresIn": SECONDS}} (a {@link TokenIssuer} ES256
 * token for that customer); {@code GET /.well-known/jwks.json} publishes the public key the gateway
 * checks tokens with. The key pair is generated when the instance starts, so each run (and each
 * restart) signs with a key of its own; the gateway fetches the new key on the first token with an
 * unknown {@code kid}.
 *
 * <p>The shop's customers are demo accounts: every customer id (1..64 letters, digits or dashes)
 * exists and its password is {@value #DEMO_PASSWORD}. A wrong password gets 401 {@code
 * login_failed}, a malformed customer id 400 naming the value; neither says which part was wrong
 * beyond that.
 */
public final class IdentityService {
  /** The password of every demo customer. */
  public static final String DEMO_PASSWORD = "shop-demo";

  /** How long a token is valid (setting {@value #TOKEN_TTL_SETTING}, default 5 minutes). */
  public static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(5);

  /** The setting that overrides the token lifetime, as a number of seconds. */
  public static final String TOKEN_TTL_SETTING = "tokenTtlSeconds";

  /** The body of {@code POST /login}. */
  public record Login(@Nullable String customer, @Nullable String password) {}

  /** The answer of {@code POST /login}. */
  public record Token(String token, String tokenType, long expiresIn) {}

  private final TokenIssuer issuer;

  private IdentityService(TokenIssuer issuer) {
    this.issuer = issuer;
  }

  /** The {@link io.bulwark.runtime.ServiceFactory} of the service. */
  public static ServiceInstance create(InstanceContext ctx) {
    TokenIssuer issuer = TokenIssuer.generate(ctx.clock(), ttl(ctx));
    IdentityService s = new IdentityService(issuer);
    String jwks = issuer.jwks();
    ctx.server()
        .post("/login", s::login)
        .get(
            "/.well-known/jwks.json",
            req -> Response.bytes(200, "application/json", jwks.getBytes(StandardCharsets.UTF_8)));
    return ServiceInstance.none();
  }

  private static Duration ttl(InstanceContext ctx) {
    String v = ctx.setting(TOKEN_TTL_SETTING, Long.toString(DEFAULT_TOKEN_TTL.toSeconds()));
    try {
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "setting " + TOKEN_TTL_SETTING + " of " + ctx.instanceId() + " is not a number: " + v, e);
    }
  }

  private Response login(Request req) {
    Login login = req.bodyAs(Login.class);
    String customer = Ids.check(login.customer(), "login: customer");
    if (!matches(login.password())) {
      throw HttpProblem.of(401, "login_failed", "customer or password is wrong");
    }
    return Response.json(new Token(issuer.issue(customer), "Bearer", issuer.ttl().toSeconds()));
  }

  private static boolean matches(@Nullable String password) {
    return password != null
        && MessageDigest.isEqual(
            password.getBytes(StandardCharsets.UTF_8),
            DEMO_PASSWORD.getBytes(StandardCharsets.UTF_8));
  }
}
