package io.bulwark.http.internal;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerOptions;
import java.util.regex.Pattern;

/**
 * The HTTP/1.x request decoder of a guarded connection (see {@link Http1Guard}), in place of the
 * one Vert.x installs, with two differences that let the server, not the decoder, answer:
 *
 * <ul>
 *   <li>{@code content-length} sent beside {@code transfer-encoding: chunked} is kept (the default
 *       decoder drops it silently), so that {@link Framing} refuses the request: 400 and the close
 *       (RFC 9112 §6.1). Its body is still framed as chunked, never by the length.
 *   <li>A version other than HTTP/1.0 and HTTP/1.1 makes the request invalid with {@link
 *       UnsupportedVersion}, which the server answers 505.
 * </ul>
 *
 * Otherwise it decodes as Vert.x's decoder does (same limits, Vert.x's header map).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
  private static final Pattern VERSION = Pattern.compile("HTTP/\\d{1,3}\\.\\d{1,3}");

  /** The cause of an invalid request whose HTTP version is not 1.0 or 1.1. */
  static final class UnsupportedVersion extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnsupportedVersion(String version) {
      super("HTTP version " + version + " is not supported; use HTTP/1.1 or HTTP/2", null);
    }
  }

  StrictRequestDecoder(int maxInitialLineLength, int maxHeaderSize, HttpServerOptions options) {
    super(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(maxInitialLineLength)
            .setMaxHeaderSize(maxHeaderSize)
            .setMaxChunkSize(options.getMaxChunkSize())
            .setInitialBufferSize(options.getDecoderInitialBufferSize())
            .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory()));
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    String v = initialLine[2];
    if (!v.equals("HTTP/1.1") && !v.equals("HTTP/1.0")) {
      String shown = v.length() > 16 ? v.substring(0, 16) + "..." : v;
      if (VERSION.matcher(v).matches()) {
        throw new UnsupportedVersion(shown);
      }
      throw new IllegalArgumentException("malformed HTTP version " + shown);
    }
    MultiMap map = io.vertx.core.http.HttpHeaders.headers();
    HttpHeaders headers =
        map instanceof HttpHeaders h ? h : DefaultHttpHeadersFactory.headersFactory().newHeaders();
    return new DefaultHttpRequest(
        HttpVersion.valueOf(v), HttpMethod.valueOf(initialLine[0]), initialLine[1], headers);
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // keep content-length so that the server sees both headers and refuses the request; the body
    // is framed as chunked by this decoder whatever the length says
  }
}
