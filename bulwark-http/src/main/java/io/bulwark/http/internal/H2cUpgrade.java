package io.bulwark.http.internal;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Which HTTP/1.1 requests that ask for HTTP/2 by the cleartext upgrade ({@code Upgrade: h2c}, RFC
 * 7540 §3.2) Vert.x may switch. Once it has answered 101 the request is an HTTP/2 stream and the
 * HTTP/1.x checks of {@link Framing} never run; so a request that those checks would refuse, or
 * whose {@code HTTP2-Settings} Vert.x would refuse with a bare 400 (leaving the body unread), has
 * its {@code upgrade} header removed by {@link Http1Guard} before Vert.x sees it. A server may
 * ignore an upgrade (RFC 9110 §7.8): the request is then served, or refused, as the HTTP/1.1
 * request it is.
 */
final class H2cUpgrade {
  private H2cUpgrade() {}

  /** Removes the upgrade of {@code req} unless it asks for h2c and may be switched. */
  static void vet(HttpRequest req) {
    HttpHeaders h = req.headers();
    if (h.contains(HttpHeaderNames.UPGRADE) && asksForH2c(h) && !switchable(req)) {
      h.remove(HttpHeaderNames.UPGRADE);
    }
  }

  private static boolean asksForH2c(HttpHeaders h) {
    for (String value : h.getAll(HttpHeaderNames.UPGRADE)) {
      for (String token : value.split(",", -1)) {
        if (token.strip().equalsIgnoreCase("h2c")) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean switchable(HttpRequest req) {
    HttpHeaders h = req.headers();
    return req.protocolVersion().equals(HttpVersion.HTTP_1_1)
        && h.getAll(HttpHeaderNames.HOST).size() == 1
        && connectionNames(h)
        && soundFraming(h)
        && validSettings(h.getAll("http2-settings"));
  }

  /**
   * The first {@code connection} header names both {@code upgrade} and {@code http2-settings} (RFC
   * 7540 §3.2.1); Vert.x reads the first one only.
   */
  private static boolean connectionNames(HttpHeaders h) {
    String value = h.get(HttpHeaderNames.CONNECTION);
    boolean upgrade = false;
    boolean settings = false;
    for (String token : value == null ? new String[0] : value.split(",", -1)) {
      String t = token.strip().toLowerCase(Locale.ROOT);
      upgrade |= t.equals("upgrade");
      settings |= t.equals("http2-settings");
    }
    return upgrade && settings;
  }

  /** The framing {@link Framing} accepts: a length, or one {@code chunked} alone, or neither. */
  private static boolean soundFraming(HttpHeaders h) {
    List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (te.isEmpty()) {
      return h.getAll(HttpHeaderNames.CONTENT_LENGTH).size() <= 1;
    }
    return te.size() == 1
        && te.get(0).strip().toLowerCase(Locale.ROOT).equals("chunked")
        && !h.contains(HttpHeaderNames.CONTENT_LENGTH);
  }

  /** RFC 9113 §6.5.2 (and RFC 8441 for id 8); every other value fits its 32 bits. */
  private static boolean inRange(int id, long value) {
    return switch (id) {
      case 2, 8 -> value <= 1; // ENABLE_PUSH, ENABLE_CONNECT_PROTOCOL
      case 4 -> value <= Integer.MAX_VALUE; // INITIAL_WINDOW_SIZE
      case 5 -> value >= 16_384 && value <= 16_777_215; // MAX_FRAME_SIZE
      default -> true;
    };
  }

  /** Exactly one header, base64url of whole 6-byte settings, each value in its range. */
  private static boolean validSettings(List<String> values) {
    if (values.size() != 1) {
      return false;
    }
    try {
      byte[] raw = Base64.getUrlDecoder().decode(values.get(0).strip());
      if (raw.length % 6 != 0) {
        return false;
      }
      for (int i = 0; i < raw.length; i += 6) {
        int id = ((raw[i] & 0xff) << 8) | (raw[i + 1] & 0xff);
        long value =
            ((raw[i + 2] & 0xffL) << 24)
                | ((raw[i + 3] & 0xffL) << 16)
                | ((raw[i + 4] & 0xffL) << 8)
                | (raw[i + 5] & 0xffL);
        if (!inRange(id, value)) {
          return false;
        }
      }
      return true;
    } catch (IllegalArgumentException bad) {
      return false;
    }
  }
}
