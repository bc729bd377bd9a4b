package io.bulwark.examples.shop;

import io.bulwark.examples.shop.JsonCalls.Answer;
import io.bulwark.examples.shop.identity.IdentityService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A user of the shop's edge: plain JDK HTTP calls to the gateway only, as a browser would. */
final class EdgeCalls {
  private final URI edge;
  private final JsonCalls http = new JsonCalls();

  EdgeCalls(URI edge) {
    this.edge = edge;
  }

  /** Logs {@code customer} in with the demo password; its token. */
  String login(String customer) {
    Answer a =
        post(
            "/login",
            "{\"customer\":\""
                + customer
                + "\",\"password\":\""
                + IdentityService.DEMO_PASSWORD
                + "\"}",
            null,
            Map.of());
    if (a.status() != 200) {
      throw new IllegalStateException("login of " + customer + " answered " + a);
    }
    return a.text("token");
  }

  Answer get(String path, @Nullable String token) {
    return get(path, token, Map.of());
  }

  Answer get(String path, @Nullable String token, Map<String, String> headers) {
    return send(HttpRequest.newBuilder().GET(), path, token, headers);
  }

  Answer post(String path, String json, @Nullable String token, Map<String, String> headers) {
    return send(JsonCalls.postJson(json), path, token, headers);
  }

  Answer addItem(String token, String cartId, String sku, int quantity) {
    return post(
        "/carts/" + cartId + "/items",
        "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}",
        token,
        Map.of());
  }

  /** A checkout of {@code cartId} by the token's customer (the body names no customer). */
  Answer checkout(String token, String key, String cartId) {
    return post(
        "/checkout", "{\"cartId\":\"" + cartId + "\"}", token, Map.of("Idempotency-Key", key));
  }

  private Answer send(
      HttpRequest.Builder b, String path, @Nullable String token, Map<String, String> headers) {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    return http.send(b, edge.resolve(path), "the edge " + path);
  }
}
