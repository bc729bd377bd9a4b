package io.bulwark.http.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;
import io.bulwark.http.ServerConfig;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.vertx.core.http.HttpServerRequest;
import org.jspecify.annotations.Nullable;

/**
 * Answers the requests the HTTP decoder refused, classified by the type of its failure: an
 * unsupported HTTP version is 505, a header block over {@code maxHeaderSize} ({@link
 * TooLongHttpHeaderException}) 431, a request line over {@code maxInitialLineLength} ({@link
 * TooLongHttpLineException}, or any other {@link TooLongFrameException}) 414, anything else 400
 * {@code malformed_request}. Each answer closes the connection: the decoder has lost its place.
 */
final class DecoderErrors {
  private final ServerState state;
  private final ServerConfig config;

  DecoderErrors(ServerState state, ServerConfig config) {
    this.state = state;
    this.config = config;
  }

  void answer(HttpServerRequest req) {
    if (state.connections.isClosing(req.connection())) {
      return;
    }
    HttpProblem problem = problemOf(req.decoderResult().cause());
    Context context = Context.root().withCorrelationId(CorrelationIds.newId());
    Exchange ex = new Exchange(state, req, state.clock.nanoTime(), context);
    ex.problem(problem, RequestOutcome.REJECTED, true);
    ex.finish(false);
  }

  HttpProblem problemOf(@Nullable Throwable cause) {
    if (cause instanceof StrictRequestDecoder.UnsupportedVersion) {
      return HttpProblem.of(505, "http_version_not_supported", String.valueOf(cause.getMessage()));
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpProblem.of(
          431,
          "headers_too_large",
          "request headers exceed the limit of " + config.maxHeaderSize() + " bytes");
    }
    if (cause instanceof TooLongFrameException) {
      return HttpProblem.of(
          414,
          "request_line_too_long",
          "request line exceeds the limit of " + config.maxInitialLineLength() + " bytes");
    }
    if (cause != null && refusedTransferEncoding(cause)) {
      return HttpProblem.of(
          400, "bad_transfer_encoding", "transfer-encoding refused: " + cause.getMessage());
    }
    return HttpProblem.of(400, "malformed_request", "malformed HTTP request");
  }

  /**
   * Netty's decoder (4.2.10 and later) refuses some framings itself, before {@link Framing} sees
   * the request: Transfer-Encoding on HTTP/1.0, Content-Length beside it, and RFC 9112's rules for
   * the codings (its only signal for those is an {@link IllegalArgumentException} naming them).
   */
  private static boolean refusedTransferEncoding(Throwable cause) {
    if (cause instanceof TransferEncodingNotAllowedException
        || cause instanceof ContentLengthNotAllowedException) {
      return true;
    }
    String m = cause instanceof IllegalArgumentException ? cause.getMessage() : null;
    return m != null && (m.contains("transfer coding") || m.contains("Transfer-Encoding"));
  }
}
