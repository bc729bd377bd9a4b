package io.bulwark.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a handler answers: a status, headers and a body that is either raw bytes or a value to be
 * written as JSON (with Jackson). Immutable; {@link #header(String, String)} returns a copy.
 */
public final class Response {
  private static final byte[] EMPTY = new byte[0];

  /** The headers of a plain JSON response (the server recognises this instance). */
  public static final Map<String, String> JSON_HEADERS = Map.of("content-type", "application/json");

  private final int status;
  private final Map<String, String> headers;
  private final byte @Nullable [] bytes;
  private final @Nullable Object json;

  private Response(
      int status, Map<String, String> headers, byte @Nullable [] bytes, @Nullable Object json) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be 100..599, was " + status);
    }
    this.status = status;
    this.headers = headers;
    this.bytes = bytes;
    this.json = json;
  }

  /** 200 with {@code body} written as JSON. */
  public static Response json(Object body) {
    return json(200, body);
  }

  /** {@code status} with {@code body} written as JSON. */
  public static Response json(int status, Object body) {
    return new Response(status, JSON_HEADERS, null, body);
  }

  /** {@code status} with a plain-text UTF-8 body. */
  public static Response text(int status, String body) {
    return new Response(
        status,
        Map.of("content-type", "text/plain; charset=utf-8"),
        body.getBytes(StandardCharsets.UTF_8),
        null);
  }

  /** {@code status} with raw bytes and a content type. */
  public static Response bytes(int status, String contentType, byte[] body) {
    return new Response(status, Map.of("content-type", contentType), body.clone(), null);
  }

  /** {@code status} with no body (e.g. 204). */
  public static Response status(int status) {
    return new Response(status, Map.of(), EMPTY, null);
  }

  /** A copy with one more header (names are case-insensitive on the wire; use lowercase). */
  public Response header(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new Response(status, Map.copyOf(copy), bytes, json);
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The raw body, or null if the body is a JSON value. */
  public byte @Nullable [] rawBody() {
    return bytes;
  }

  /** The value to write as JSON, or null if the body is raw bytes. */
  public @Nullable Object jsonBody() {
    return json;
  }
}
