package io.bulwark.http.client;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One outbound request to a logical service: method, path (with query), extra headers, body and an
 * optional hash key for consistent-hashing balancers. Immutable; {@code with...} returns copies.
 */
public final class ClientRequest {
  private final String method;
  private final String path;
  private final Map<String, String> headers;
  private final byte[] body;
  private final @Nullable String hashKey;

  private ClientRequest(
      String method, String path, Map<String, String> headers, byte[] body, @Nullable String key) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("request path must start with '/', was \"" + path + "\"");
    }
    if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
      throw new IllegalArgumentException("bad HTTP method \"" + method + "\"");
    }
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.body = body;
    this.hashKey = key;
  }

  public static ClientRequest get(String path) {
    return of("GET", path);
  }

  public static ClientRequest of(String method, String path) {
    return new ClientRequest(
        Objects.requireNonNull(method, "method"), path, Map.of(), new byte[0], null);
  }

  /** A copy with a header added (lowercase names). */
  public ClientRequest withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new ClientRequest(method, path, Map.copyOf(copy), body, hashKey);
  }

  /** A copy with a raw body. */
  public ClientRequest withBody(byte[] body, String contentType) {
    return new ClientRequest(method, path, headers, body.clone(), hashKey)
        .withHeader("content-type", contentType);
  }

  /** A copy with a UTF-8 JSON body (already serialized). */
  public ClientRequest withJson(String json) {
    return withBody(json.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  /** A copy with the key consistent-hashing balancers route by (e.g. a SKU or user id). */
  public ClientRequest withHashKey(String key) {
    return new ClientRequest(method, path, headers, body, Objects.requireNonNull(key, "key"));
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The body (shared: do not modify). */
  public byte[] body() {
    return body;
  }

  public @Nullable String hashKey() {
    return hashKey;
  }
}
