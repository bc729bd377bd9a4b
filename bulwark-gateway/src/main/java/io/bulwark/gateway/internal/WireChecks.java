package io.bulwark.gateway.internal;

import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.gateway.ListenerConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The request-framing checks of a listener, before any routing (request smuggling defences, RFC
 * 9112 §6): a request whose body framing could be read two ways is refused with 400 and its
 * connection closed, and requests pipelined behind it on that connection are dropped unanswered and
 * never forwarded (their bytes may be a smuggled request). Refused:
 *
 * <ul>
 *   <li>{@code Transfer-Encoding} beside {@code Content-Length} (the wire guard keeps both for this
 *       check; Netty alone would drop the length silently);
 *   <li>a {@code Transfer-Encoding} other than exactly {@code chunked} ({@code xchunked}, {@code
 *       chunked, identity}, two headers), or any on HTTP/1.0;
 *   <li>more than one {@code Content-Length}, even equal ones, or one that is not digits;
 *   <li>{@code CONNECT} (405: the gateway does not tunnel), and a request line in absolute form
 *       unless the listener accepts it ({@code absolute-form: true}; its authority must then be the
 *       {@code Host}).
 * </ul>
 */
final class WireChecks {
  private static final CharSequence TRANSFER_ENCODING =
      io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING;
  private static final CharSequence CONTENT_LENGTH =
      io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH;

  private final ListenerConfig listener;
  private final Set<HttpConnection> closing = ConcurrentHashMap.newKeySet();

  WireChecks(ListenerConfig listener) {
    this.listener = listener;
  }

  /** True when the request was refused (answered or dropped); the proxy must not touch it. */
  boolean refused(HttpServerRequest req) {
    if (req.version() == HttpVersion.HTTP_2) {
      return false; // framed by HTTP/2 itself; Vert.x checks content-length against DATA
    }
    HttpConnection conn = req.connection();
    if (!closing.isEmpty() && closing.contains(conn)) {
      conn.close(); // pipelined behind a refused request: dropped, never forwarded
      return true;
    }
    String why = problem(req);
    if (why == null) {
      return false;
    }
    int status = why.startsWith("CONNECT") ? 405 : 400;
    refuse(req, status, why);
    return true;
  }

  private @Nullable String problem(HttpServerRequest req) {
    MultiMap h = req.headers();
    // contains first: getAll builds a list even for an absent header (most GETs have neither)
    // AsciiString names: their hash is computed once, not per lookup
    List<String> te = h.contains(TRANSFER_ENCODING) ? h.getAll(TRANSFER_ENCODING) : List.of();
    List<String> cl = h.contains(CONTENT_LENGTH) ? h.getAll(CONTENT_LENGTH) : List.of();
    if (HttpMethod.CONNECT.equals(req.method())) {
      return "CONNECT is not supported: the gateway does not tunnel";
    }
    if (!te.isEmpty() && !cl.isEmpty()) {
      return "transfer-encoding and content-length are both set; the body framing is ambiguous";
    }
    if (te.size() > 1) {
      return "transfer-encoding is sent " + te.size() + " times";
    }
    if (te.size() == 1) {
      if (req.version() == HttpVersion.HTTP_1_0) {
        return "transfer-encoding is not allowed on HTTP/1.0";
      }
      if (!te.get(0).strip().toLowerCase(Locale.ROOT).equals("chunked")) {
        return "transfer-encoding \"" + shown(te.get(0)) + "\" is not supported; only chunked";
      }
    }
    if (cl.size() > 1) {
      return "content-length is sent " + cl.size() + " times";
    }
    if (cl.size() == 1 && !digits(cl.get(0).strip())) {
      return "content-length \"" + shown(cl.get(0)) + "\" is not a number";
    }
    String uri = req.uri();
    if (uri.regionMatches(true, 0, "http://", 0, 7)
        || uri.regionMatches(true, 0, "https://", 0, 8)) {
      if (!listener.edge().absoluteForm()) {
        return "absolute-form request targets are refused on this listener (absolute-form: false)";
      }
      String host = req.getHeader("host");
      String authority = authorityOf(uri);
      if (host == null || !host.equalsIgnoreCase(authority)) {
        return "the absolute-form target's authority \""
            + shown(authority)
            + "\" is not the Host header";
      }
    }
    return null;
  }

  private void refuse(HttpServerRequest req, int status, String why) {
    HttpConnection conn = req.connection();
    closing.add(conn);
    conn.closeHandler(v -> closing.remove(conn));
    String id = CorrelationIds.newId();
    String code = status == 405 ? "method-not-allowed" : "bad-framing";
    String body =
        "{\"type\":\"urn:bulwark:gateway:"
            + code
            + "\",\"status\":"
            + status
            + ",\"detail\":"
            + Proxy.jsonString(why)
            + "}";
    req.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/problem+json")
        .putHeader(ContextHeaders.CORRELATION_ID, id)
        .putHeader("connection", "close")
        .end(body)
        .onComplete(v -> conn.close());
  }

  private static boolean digits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String authorityOf(String uri) {
    int start = uri.indexOf("//") + 2;
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    return uri.substring(start, end);
  }

  private static String shown(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
