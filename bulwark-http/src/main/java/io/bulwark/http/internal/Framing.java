package io.bulwark.http.internal;

import io.bulwark.http.HttpProblem;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.x message framing rules (RFC 9112 §6) checked on a request head before anything else, so
 * that the server and any proxy in front of it can never disagree on where a request ends (request
 * smuggling):
 *
 * <ul>
 *   <li>{@code transfer-encoding} is accepted only as one header whose value is exactly {@code
 *       chunked}, only on HTTP/1.1 and never together with {@code content-length}; anything else
 *       ({@code xchunked}, {@code chunked, identity}, two headers, HTTP/1.0) is answered 400 and
 *       the connection closed;
 *   <li>an HTTP/1.1 request needs exactly one {@code host} header (RFC 9112 §3.2), else 400;
 *   <li>{@code content-length} beside {@code transfer-encoding: chunked} reaches this check because
 *       the server's decoder ({@link StrictRequestDecoder}) keeps it. Only where that decoder
 *       cannot be installed (see {@link AcceptHook#available()}) does the connection close after
 *       every chunked HTTP/1.1 request instead ({@link #closesAfterAnswer}).
 * </ul>
 *
 * HTTP/2 frames its messages itself and is not checked here.
 */
final class Framing {
  private Framing() {}

  /** Why this request head is refused, or null when its framing is sound. */
  static @Nullable HttpProblem problem(HttpServerRequest req) {
    HttpVersion version = req.version();
    if (version == HttpVersion.HTTP_2) {
      return null;
    }
    MultiMap headers = req.headers();
    if (headers.contains(RequestHeaders.TRANSFER_ENCODING)) {
      List<String> te = headers.getAll(RequestHeaders.TRANSFER_ENCODING);
      String reason =
          transferEncodingFault(version, te, headers.contains(RequestHeaders.CONTENT_LENGTH));
      if (reason != null) {
        return HttpProblem.of(
            400, "bad_transfer_encoding", "transfer-encoding " + te + " refused: " + reason);
      }
    }
    if (version == HttpVersion.HTTP_1_1) {
      int hosts = count(headers, RequestHeaders.HOST);
      if (hosts != 1) {
        return HttpProblem.of(
            400,
            "missing_host",
            "an HTTP/1.1 request needs exactly one host header, it had " + hosts);
      }
    }
    return null;
  }

  /**
   * How many headers named {@code name} (case-insensitive) the request has. Vert.x's header map is
   * walked in place: its {@code getAll} makes a list of copies per call, and this check runs on
   * every HTTP/1.1 request.
   */
  static int count(MultiMap headers, CharSequence name) {
    if (!(headers instanceof HttpHeaders netty)) {
      return headers.getAll(name).size();
    }
    int n = 0;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = netty.iteratorCharSequence();
    while (it.hasNext()) {
      if (AsciiString.contentEqualsIgnoreCase(it.next().getKey(), name)) {
        n++;
      }
    }
    return n;
  }

  private static @Nullable String transferEncodingFault(
      HttpVersion version, List<String> te, boolean contentLength) {
    if (version != HttpVersion.HTTP_1_1) {
      return "transfer-encoding needs HTTP/1.1";
    }
    if (te.size() != 1) {
      return "only one transfer-encoding header is accepted";
    }
    if (!te.get(0).strip().equalsIgnoreCase("chunked")) {
      return "the only accepted transfer coding is \"chunked\"";
    }
    if (contentLength) {
      return "content-length and transfer-encoding together";
    }
    return null;
  }

  /**
   * Whether the connection must close once this (sound) request is answered, when the decoder may
   * have dropped a {@code content-length} beside {@code transfer-encoding: chunked} (RFC 9112
   * §6.1).
   */
  static boolean closesAfterAnswer(HttpServerRequest req) {
    return req.version() == HttpVersion.HTTP_1_1
        && req.headers().contains(RequestHeaders.TRANSFER_ENCODING);
  }
}
