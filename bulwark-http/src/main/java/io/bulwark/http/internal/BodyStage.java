package io.bulwark.http.internal;

import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

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

  private void tooLarge(Exchange ex) {
    ex.req.handler(null);
    ex.req.endHandler(null);
    ex.problem(
        HttpProblem.of(
            413, "body_too_large", "request body exceeds the limit of " + maxBodySize + " bytes"),
        RequestOutcome.REJECTED,
        true);
    ex.finish(false);
  }
}
