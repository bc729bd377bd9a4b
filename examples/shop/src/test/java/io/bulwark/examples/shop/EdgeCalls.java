package io.bulwark.examples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.examples.shop.identity.IdentityService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A user of the shop's edge: plain JDK HTTP calls to the gateway only, as a browser would. */
final class EdgeCalls {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: status, headers and JSON body (null node when the body is not JSON). */
  record Answer(int status, HttpHeaders headers, JsonNode body) {
    String text(String field) {
      return body.path(field).asText();
    }
  }

  private final URI edge;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

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
    return send(
        HttpRequest.newBuilder()
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        path,
        token,
        headers);
  }

  Answer addItem(String token, String cartId, String sku, int quantity) {
    return post(
        "/carts/" + cartId + "/items",
        "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}",
        token,
        Map.of());
  }

  Answer checkout(String token, String key, String cartId, String customer) {
    return post(
        "/checkout",
        "{\"cartId\":\"" + cartId + "\",\"customer\":\"" + customer + "\"}",
        token,
        Map.of("Idempotency-Key", key));
  }

  private Answer send(
      HttpRequest.Builder b, String path, @Nullable String token, Map<String, String> headers) {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r =
          http.send(
              b.uri(edge.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
      } catch (IOException e) {
        body = JSON.nullNode();
      }
      return new Answer(r.statusCode(), r.headers(), body);
    } catch (IOException e) {
      System.err.println("call to the edge " + path + " failed: " + e);
      return new Answer(0, HttpHeaders.of(Map.of(), (x, y) -> true), JSON.nullNode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
