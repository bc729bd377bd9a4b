package io.bulwark.gateway.internal;

import io.bulwark.core.context.ContextHeaders;
import io.bulwark.gateway.IpRange;
import io.bulwark.gateway.RouteConfig;
import io.vertx.core.MultiMap;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1) and every header named in
 * {@code Connection} stay on their hop; {@code X-Forwarded-*}, {@code Forwarded} and the Bulwark
 * context headers that grant something downstream (deadline, criticality, baggage) are kept only
 * from a configured trusted proxy and are otherwise replaced by what the gateway itself saw.
 */
final class Forwarding {
  private Forwarding() {}

  static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "proxy-authenticate",
          "proxy-authorization",
          "http2-settings",
          "host",
          "content-length");

  static final Set<String> FROM_TRUSTED_ONLY =
      Set.of(
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-forwarded-host",
          "x-forwarded-port",
          "forwarded",
          "x-real-ip",
          ContextHeaders.DEADLINE,
          ContextHeaders.CRITICALITY,
          ContextHeaders.BAGGAGE);

  /** The header names listed in {@code Connection} (lower case). */
  static Set<String> connectionNamed(MultiMap headers) {
    String first = headers.get("connection");
    if (first == null) {
      return Set.of(); // the common HTTP/1.1 request: no list to build
    }
    List<String> values = headers.getAll("connection");
    if (values.size() == 1 && first.indexOf(',') < 0) { // e.g. "keep-alive"
      String t = first.strip();
      return t.isEmpty() ? Set.of() : Set.of(HeaderNames.canonical(t));
    }
    Set<String> out = new HashSet<>();
    for (String value : values) {
      for (String token : value.split(",", -1)) {
        String t = token.strip().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return out;
  }

  static boolean trusted(@Nullable InetAddress peer, List<IpRange> proxies) {
    if (peer == null) {
      return false;
    }
    for (IpRange r : proxies) {
      if (r.contains(peer)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Copies end-to-end request headers from {@code in} to {@code out} and adds the forwarding
   * headers for a client at {@code peer}.
   */
  static void requestHeaders(
      MultiMap in,
      MultiMap out,
      boolean trustedPeer,
      String peer,
      String host,
      String scheme,
      RouteConfig.HeaderTransform transform) {
    Set<String> named = connectionNamed(in);
    int drop =
        trustedPeer ? HeaderNames.HOP_BY_HOP : HeaderNames.HOP_BY_HOP | HeaderNames.TRUSTED_ONLY;
    for (Map.Entry<String, String> h : in) {
      String key = h.getKey();
      int slot = HeaderNames.slot(key); // a known name: its constant, no new string
      String name = slot >= 0 ? HeaderNames.nameAt(slot) : key.toLowerCase(Locale.ROOT);
      if ((slot >= 0 && (HeaderNames.flagsAt(slot) & drop) != 0)
          || (!named.isEmpty() && named.contains(name))
          || name.startsWith(":")) {
        continue;
      }
      out.add(name, h.getValue());
    }
    String priorFor = trustedPeer ? out.get("x-forwarded-for") : null;
    out.set("x-forwarded-for", priorFor == null ? peer : priorFor + ", " + peer);
    if (!trustedPeer || !out.contains("x-forwarded-proto")) {
      out.set("x-forwarded-proto", scheme);
    }
    if (!trustedPeer || !out.contains("x-forwarded-host")) {
      out.set("x-forwarded-host", host);
    }
    String element =
        "for=" + forwardedNode(peer) + ";host=\"" + host.replace("\"", "") + "\";proto=" + scheme;
    String priorForwarded = trustedPeer ? out.get("forwarded") : null;
    out.set("forwarded", priorForwarded == null ? element : priorForwarded + ", " + element);
    apply(transform, out);
  }

  /** Copies end-to-end response headers from {@code in} to {@code out}. */
  static void responseHeaders(MultiMap in, MultiMap out, RouteConfig.HeaderTransform transform) {
    Set<String> named = connectionNamed(in);
    for (Map.Entry<String, String> h : in) {
      String key = h.getKey();
      int slot = HeaderNames.slot(key);
      String name = slot >= 0 ? HeaderNames.nameAt(slot) : key.toLowerCase(Locale.ROOT);
      if ((slot >= 0 && (HeaderNames.flagsAt(slot) & HeaderNames.HOP_BY_HOP) != 0)
          || (!named.isEmpty() && named.contains(name))
          || name.startsWith(":")) {
        continue;
      }
      out.add(name, h.getValue());
    }
    apply(transform, out);
  }

  static void apply(RouteConfig.HeaderTransform transform, MultiMap out) {
    if (transform.isEmpty()) {
      return;
    }
    transform.remove().forEach(out::remove);
    transform.set().forEach(out::set);
  }

  private static String forwardedNode(String peer) {
    return peer.indexOf(':') >= 0 ? "\"[" + peer + "]\"" : peer;
  }
}
