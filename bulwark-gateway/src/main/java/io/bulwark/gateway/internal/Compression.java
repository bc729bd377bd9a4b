package io.bulwark.gateway.internal;

import io.bulwark.gateway.CompressionConfig;
import io.vertx.core.http.HttpServerResponse;

/**
 * Whether one response may be compressed. The encoding itself is the listener's (Netty's content
 * encoder, configured by {@link EdgeSetup}): it negotiates with {@code Accept-Encoding} (q-values,
 * {@code q=0} refuses) and leaves alone every response that carries a {@code Content-Encoding}. So
 * a response that must not be compressed (already encoded, not a compressible type, shorter than
 * the threshold) is marked {@code Content-Encoding: identity} here, and one that may gets {@code
 * Vary: Accept-Encoding}.
 */
final class Compression {
  private Compression() {}

  static void decide(CompressionConfig c, UpstreamAnswer up, HttpServerResponse resp) {
    if (!c.enabled() || up.header("content-encoding") != null) {
      return; // off, or already encoded by the upstream: forwarded as it is
    }
    String type = up.header("content-type");
    String length = up.header("content-length");
    boolean small = length != null && below(length, c.minBytes());
    if (type != null && c.compressible(type) && !small) {
      resp.headers().add("vary", "accept-encoding");
    } else {
      resp.putHeader("content-encoding", "identity");
    }
  }

  private static boolean below(String length, long min) {
    try {
      return Long.parseLong(length.strip()) < min;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
