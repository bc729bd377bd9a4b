package io.bulwark.gateway.internal;

import io.bulwark.gateway.CompressionConfig;
import io.netty.handler.codec.compression.StandardCompressionOptions;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.vertx.core.http.HttpServerResponse;
import org.jspecify.annotations.Nullable;

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

  static void decide(
      CompressionConfig c,
      UpstreamAnswer up,
      HttpServerResponse resp,
      @Nullable String acceptEncoding) {
    if (!c.enabled() || up.header("content-encoding") != null) {
      return; // off, or already encoded by the upstream: forwarded as it is
    }
    String type = up.header("content-type");
    String length = up.header("content-length");
    boolean small = length != null && below(length, c.minBytes());
    if (type != null && c.compressible(type) && !small) {
      resp.headers().add("vary", "accept-encoding");
      if (c.brotli() && acceptEncoding != null && brotliWronglyChosen(acceptEncoding)) {
        // Netty's encoder would send brotli to a client that refused it: send it uncompressed
        resp.putHeader("content-encoding", "identity");
      }
    } else {
      resp.putHeader("content-encoding", "identity");
    }
  }

  /**
   * Whether the listener's encoder (Netty's, offered brotli and gzip) would answer {@code br} to
   * this {@code Accept-Encoding} although the header does not accept it: Netty picks brotli
   * whenever {@code br} is listed, even with {@code q=0}, and for any listed coding whose name
   * merely contains "br". Brotli is acceptable when {@code br} is listed with a weight above 0, or
   * not listed while {@code *} is; a weight that does not parse counts as 0.
   */
  static boolean brotliWronglyChosen(String acceptEncoding) {
    if (!"br".equals(NettyChoice.INSTANCE.choose(acceptEncoding))) {
      return false;
    }
    float br = -1;
    float star = -1;
    for (String element : acceptEncoding.split(",", -1)) {
      int semi = element.indexOf(';');
      String name = (semi < 0 ? element : element.substring(0, semi)).strip();
      float q = semi < 0 ? 1 : weight(element.substring(semi + 1));
      if (name.equalsIgnoreCase("br")) {
        br = Math.max(br, q);
      } else if (name.equals("*")) {
        star = Math.max(star, q);
      }
    }
    boolean acceptable = br >= 0 ? br > 0 : star > 0;
    return !acceptable;
  }

  /** The {@code q} parameter among {@code params} (1 when absent, 0 when it does not parse). */
  private static float weight(String params) {
    for (String p : params.split(";", -1)) {
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("q")) {
        try {
          float q = Float.parseFloat(p.substring(eq + 1).strip());
          return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 1;
  }

  /**
   * Netty's negotiation exactly as the listeners' encoder runs it, brotli and gzip offered. Made on
   * first use, which only a listener with brotli on (so brotli4j loaded) reaches.
   */
  private static final class NettyChoice extends HttpContentCompressor {
    static final NettyChoice INSTANCE = new NettyChoice();

    NettyChoice() {
      super(
          0,
          StandardCompressionOptions.brotli(),
          StandardCompressionOptions.gzip()); // options only: never in a pipeline, nothing encoded
    }

    @Nullable String choose(String acceptEncoding) {
      return determineEncoding(acceptEncoding);
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
