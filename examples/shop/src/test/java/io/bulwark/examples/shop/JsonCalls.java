package io.bulwark.examples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Plain JDK HTTP calls with JSON answers, as a user's browser or app makes them: the one client and
 * answer type of {@link ShopCalls} (straight to a service) and {@link EdgeCalls} (through the
 * gateway). A call that gets no answer (refused, reset, timed out) is status 0, as a user would see
 * it fail.
 */
final class JsonCalls {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** One answer: status, headers and JSON body (null node when the body is not JSON). */
  record Answer(int status, HttpHeaders headers, JsonNode body) {
    String text(String field) {
      return body.path(field).asText();
    }
  }

  private final HttpClient http;

  JsonCalls() {
    this(java.util.Optional.empty());
  }

  /** Calls that present {@code tls} (the runtime's operator identity) to services under mTLS. */
  JsonCalls(java.util.Optional<javax.net.ssl.SSLContext> tls) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5));
    tls.ifPresent(b::sslContext);
    this.http = b.build();
  }

  /** A POST builder of {@code json}. */
  static HttpRequest.Builder postJson(String json) {
    return HttpRequest.newBuilder()
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  /**
   * Sends {@code request} to {@code uri}.
   *
   * @param where the call, for the line printed when it gets no answer
   */
  Answer send(HttpRequest.Builder request, URI uri, String where) {
    try {
      HttpResponse<String> r =
          http.send(
              request.uri(uri).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
      } catch (IOException e) {
        body = JSON.nullNode();
      }
      return new Answer(r.statusCode(), r.headers(), body);
    } catch (IOException e) {
      System.err.println("call to " + where + " failed: " + e);
      return new Answer(0, HttpHeaders.of(Map.of(), (x, y) -> true), JSON.nullNode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The body of {@code request} as text ("" when it gets no answer). */
  String raw(HttpRequest.Builder request, URI uri) {
    try {
      return http.send(
              request.uri(uri).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
