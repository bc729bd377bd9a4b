package io.bulwark.http.internal;

import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * The last stage on the event loop: reads an admitted request's body up to {@code maxBodySize} (413
 * and the close beyond, whether announced by {@code content-length} or found while reading), then
 * hands the request to the {@link Dispatcher}. A request that can carry no body is dispatched at
 * once. Reading a body costs three handlers per request (chunk, error, end), as Vert.x asks.
 */
final class BodyStage {
  private static final byte[] EMPTY = new byte[0];

  private final int maxBodySize;
  private final Dispatcher dispatcher;

  BodyStage(int maxBodySize, Dispatcher dispatcher) {
    this.maxBodySize = maxBodySize;
    this.dispatcher = dispatcher;
  }

  void read(Exchange ex) {
    HttpServerRequest req = ex.req;
    String length = req.getHeader(RequestHeaders.CONTENT_LENGTH);
    if (length != null && tooLong(length)) {
      tooLarge(ex);
      return;
    }
    if (!bodyFollows(req)) {
      // no body can follow: answer at once, as a plain Vert.x handler would (the rest of the
      // request, if any, is consumed by Vert.x before the next request on the connection)
      dispatcher.dispatch(ex, EMPTY);
      return;
    }
    Buffer body = Buffer.buffer();
    req.handler(
        chunk -> {
          if (body.length() + chunk.length() > maxBodySize) {
            tooLarge(ex);
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.exceptionHandler(e -> ex.finish(true));
    req.endHandler(v -> dispatchRead(ex, body.getBytes()));
  }

  private void dispatchRead(Exchange ex, byte[] body) {
    if (!ex.req.response().ended()) {
      dispatcher.dispatch(ex, body);
    }
  }

  /** Whether request body bytes are still to come (not for a bodiless method without length). */
  static boolean bodyFollows(HttpServerRequest req) {
    String length = req.getHeader(RequestHeaders.CONTENT_LENGTH);
    if (req.isEnded() || "0".equals(length)) {
      return false;
    }
    return length != null || (!bodiless(req.method()) && hasBody(req));
  }

  /** Methods whose body (if a client sent one anyway) has no meaning and is not read. */
  private static boolean bodiless(HttpMethod m) {
    return HttpMethod.GET.equals(m)
        || HttpMethod.HEAD.equals(m)
        || HttpMethod.OPTIONS.equals(m)
        || HttpMethod.DELETE.equals(m);
  }

  private static boolean hasBody(HttpServerRequest req) {
    return req.version() == HttpVersion.HTTP_2
        || req.getHeader(RequestHeaders.TRANSFER_ENCODING) != null;
  }

  private boolean tooLong(String length) {
    try {
      return Long.parseLong(length.strip()) > maxBodySize;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Refuses the request with 413. On HTTP/1.x the connection then closes. On HTTP/2, a body
   * announced by {@code content-length} as at most {@link #DRAIN_LIMIT} bytes (what fits in the
   * default stream window) is read and discarded after the answer, so the stream ends as any other
   * and no client has to race a RST_STREAM against the answer it is reading; a longer or
   * unannounced body gets RST_STREAM(NO_ERROR) after the answer (RFC 9113 §8.1), as does a client
   * that sends more than it announced.
   */
  private void tooLarge(Exchange ex) {
    HttpServerRequest req = ex.req;
    boolean drain =
        req.version() == HttpVersion.HTTP_2
            && !req.isEnded()
            && announcedAtMost(req.getHeader(RequestHeaders.CONTENT_LENGTH), DRAIN_LIMIT);
    if (drain) {
      long[] left = {DRAIN_LIMIT};
      req.handler(
          chunk -> {
            left[0] -= chunk.length();
            if (left[0] < 0) {
              req.handler(null);
              req.response().reset(0);
            }
          });
    } else {
      req.handler(null);
    }
    req.endHandler(null);
    ex.problem(
        HttpProblem.of(
            413, "body_too_large", "request body exceeds the limit of " + maxBodySize + " bytes"),
        RequestOutcome.REJECTED,
        !drain);
    ex.finish(false);
  }

  /** The largest announced HTTP/2 body that a refusal drains instead of resetting the stream. */
  static final long DRAIN_LIMIT = 65_535;

  private static boolean announcedAtMost(@Nullable String length, long limit) {
    if (length == null) {
      return false;
    }
    try {
      long n = Long.parseLong(length.strip());
      return n >= 0 && n <= limit;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
