package io.bulwark.examples.shop.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.context.ContextHeaders;
import io.bulwark.examples.shop.identity.IdentityService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated customers' tokens: a customer logs in ({@code POST /login} at the edge, with the
 * demo password) the first time it needs a token, keeps it until {@value #MARGIN_SECONDS} s before
 * it expires, and drops it when a call is answered 401. Two requests of one customer that start
 * together may both log in (no lock is held around the call); the later token wins, both are valid.
 */
final class CustomerTokens {
  static final long MARGIN_SECONDS = 30;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The password of every demo customer (the identity service's {@code DEMO_PASSWORD}). */
  static final String DEMO_PASSWORD = IdentityService.DEMO_PASSWORD;

  /** A token, or why there is none (the login's answer). */
  record Login(String token, int status, String body) {
    boolean ok() {
      return !token.isEmpty();
    }
  }

  private record Held(String token, long renewAtNanos) {}

  private final HttpClient client;
  private final URI login;
  private final Duration timeout;
  private final Map<String, Held> held = new ConcurrentHashMap<>();

  CustomerTokens(HttpClient client, URI edge, Duration timeout) {
    this.client = client;
    this.login = edge.resolve("/login");
    this.timeout = timeout;
  }

  /** {@code customer}'s token, logging in when it holds none that is still fresh. */
  Login token(String customer) {
    Held h = held.get(customer);
    if (h != null && h.renewAtNanos() - System.nanoTime() > 0) {
      return new Login(h.token(), 200, "");
    }
    Login fresh = logIn(customer);
    return fresh;
  }

  /** Drops {@code token} of {@code customer} (a call was answered 401). */
  void rejected(String customer, String token) {
    held.computeIfPresent(customer, (c, h) -> h.token().equals(token) ? null : h);
  }

  private Login logIn(String customer) {
    String body = "{\"customer\":\"" + customer + "\",\"password\":\"" + DEMO_PASSWORD + "\"}";
    HttpRequest request =
        HttpRequest.newBuilder(login)
            .timeout(timeout)
            .header(ContextHeaders.DEADLINE, Long.toString(timeout.toMillis()))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return new Login("", r.statusCode(), r.body());
      }
      JsonNode answer = JSON.readTree(r.body());
      String token = answer.path("token").asText("");
      long ttl = answer.path("expiresIn").asLong(0);
      if (token.isEmpty()) {
        return new Login("", 502, "login answered no token");
      }
      long renewIn = Math.max(0, ttl - MARGIN_SECONDS) * 1_000_000_000L;
      held.put(customer, new Held(token, System.nanoTime() + renewIn));
      return new Login(token, 200, "");
    } catch (IOException e) {
      return new Login("", 0, String.valueOf(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Login("", 0, "interrupted");
    }
  }
}
