package io.bulwark.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.core.context.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One inbound request as a handler sees it: method, path, the values bound by the route's path
 * template, query parameters, headers, the (size-limited, fully read) body and the restored {@link
 * Context}. Immutable apart from the lazily parsed query; safe to read from any thread.
 */
public final class Request {
  private final String method;
  private final String path;
  private final @Nullable String query;
  private final String route;
  private final Map<String, String> pathParams;
  private final Function<String, @Nullable String> headers;
  private final byte[] body;
  private final Context context;
  private final ObjectMapper mapper;

  /** For the server and for tests of handlers. */
  public Request(
      String method,
      String path,
      @Nullable String query,
      String route,
      Map<String, String> pathParams,
      Function<String, @Nullable String> headers,
      byte[] body,
      Context context,
      ObjectMapper mapper) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.route = route;
    this.pathParams = pathParams;
    this.headers = headers;
    this.body = body;
    this.context = context;
    this.mapper = mapper;
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** The matched route's template, e.g. {@code /orders/{id}}. */
  public String route() {
    return route;
  }

  /**
   * The value bound to {@code {name}} in the route template.
   *
   * @throws IllegalArgumentException if the template has no such parameter (a programming error)
   */
  public String pathParam(String name) {
    String v = pathParams.get(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "route " + route + " has no path parameter {" + name + "}");
    }
    return v;
  }

  /** The first value of query parameter {@code name}, URL-decoded, or null. */
  public @Nullable String query(String name) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    for (String pair : query.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (decode(key).equals(name)) {
        return eq < 0 ? "" : decode(pair.substring(eq + 1));
      }
    }
    return null;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpProblem.badRequest("malformed query string: " + e.getMessage());
    }
  }

  /** A header's first value (case-insensitive name), or null. */
  public @Nullable String header(String name) {
    return headers.apply(name);
  }

  /** The raw body (empty if none). The array is shared: do not modify it. */
  public byte[] body() {
    return body;
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The body read as JSON into {@code type}.
   *
   * @throws HttpProblem 400 {@code malformed_json} naming the parse problem (never a stack trace)
   */
  public <T> T bodyAs(Class<T> type) {
    if (body.length == 0) {
      throw HttpProblem.of(400, "malformed_json", "request body is empty, expected JSON");
    }
    try {
      T value = mapper.readValue(body, type);
      if (value == null) {
        throw HttpProblem.of(400, "malformed_json", "request body is JSON null");
      }
      return value;
    } catch (JacksonException e) {
      throw HttpProblem.of(400, "malformed_json", "malformed JSON body: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw HttpProblem.of(400, "malformed_json", "unreadable JSON body");
    }
  }

  /**
   * The IP address of the peer that sent this request ({@code 127.0.0.1}, {@code ::1}), or null
   * when unknown (a request built by a test).
   */
  public @Nullable String remoteAddress() {
    return headers instanceof io.bulwark.http.internal.PeerAddress peer ? peer.remoteHost() : null;
  }

  /**
   * The workload that sent this request, as its client certificate names it, verified by mutual TLS
   * against the server's {@link ServerConfig#clientCa()}; null when the server does not ask for
   * client certificates, when the certificate names no workload (exactly one {@code spiffe://} URI
   * name), or for a request built by a test.
   */
  public io.bulwark.core.identity.@Nullable WorkloadIdentity peer() {
    return headers instanceof io.bulwark.http.internal.PeerAddress peer
        ? peer.peerIdentity()
        : null;
  }

  /** The context restored from the request headers (also bound as {@link Context#current()}). */
  public Context context() {
    return context;
  }
}
