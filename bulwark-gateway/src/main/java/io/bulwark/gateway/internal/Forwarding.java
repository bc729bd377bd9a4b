package io.bulwark.gateway.internal;

import io.bulwark.core.context.ContextHeaders;
import io.bulwark.gateway.IpRange;
import io.bulwark.gateway.RouteConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.MultiMap;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1) and every header named in
 * {@code Connection} stay on their hop; {@code X-Forwarded-*}, {@code Forwarded} and the Bulwark
 * context headers that grant something downstream (deadline, criticality, baggage) are kept only
 * from a configured trusted proxy and are otherwise replaced by what the gateway itself saw. The
 * deadline is always the gateway's own: the proxy sets what is left of the request's (see {@link
 * #deadlineMillis}).
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
    copy(
        in,
        out,
        trustedPeer ? HeaderNames.HOP_BY_HOP : HeaderNames.HOP_BY_HOP | HeaderNames.TRUSTED_ONLY);
    String element =
        "for=" + forwardedNode(peer) + ";host=\"" + host.replace("\"", "") + "\";proto=" + scheme;
    if (!trustedPeer) { // the copy above dropped every forwarding header: add, nothing to replace
      out.add("x-forwarded-for", peer);
      out.add("x-forwarded-proto", scheme);
      out.add("x-forwarded-host", host);
      out.add("forwarded", element);
      apply(transform, out);
      return;
    }
    String priorFor = out.get("x-forwarded-for");
    out.set("x-forwarded-for", priorFor == null ? peer : priorFor + ", " + peer);
    if (!out.contains("x-forwarded-proto")) {
      out.set("x-forwarded-proto", scheme);
    }
    if (!out.contains("x-forwarded-host")) {
      out.set("x-forwarded-host", host);
    }
    String priorForwarded = out.get("forwarded");
    out.set("forwarded", priorForwarded == null ? element : priorForwarded + ", " + element);
    apply(transform, out);
  }

  /**
   * Copies end-to-end response headers from {@code in} to {@code out}. A header named in the
   * upstream's {@code Connection} is removed from {@code out} altogether, so the caller sets its
   * own headers (the correlation id) after this call.
   */
  static void responseHeaders(
      Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> in,
      MultiMap out,
      RouteConfig.HeaderTransform transform) {
    copy(in, out, HeaderNames.HOP_BY_HOP);
    apply(transform, out);
  }

  /**
   * One pass over {@code in}: every header whose flags miss {@code drop} is added to {@code out}
   * under its lower-case name (a known name as its shared constant, no new string), pseudo-headers
   * skipped. The names a {@code Connection} header lists stay on their hop too: they are collected
   * on the way (only those not already hop-by-hop: {@code keep-alive} and {@code close} cost
   * nothing) and removed from {@code out} at the end, whatever their order in {@code in}.
   */
  private static void copy(
      Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> in,
      MultiMap out,
      int drop) {
    @Nullable List<String> named = null;
    if (in instanceof HeaderList list) { // by index: no entry object per header
      for (int i = 0; i < list.size(); i++) {
        named = copyOne(list.nameAt(i), list.valueAt(i), out, drop, named);
      }
    } else if (in instanceof HttpHeaders h) { // Vert.x's and Netty's maps: their own entries
      Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> e = it.next();
        named = copyOne(e.getKey(), e.getValue(), out, drop, named);
      }
    } else {
      for (Map.Entry<? extends CharSequence, ? extends CharSequence> e : in) {
        named = copyOne(e.getKey(), e.getValue(), out, drop, named);
      }
    }
    if (named != null) {
      for (String n : named) {
        out.remove(n);
      }
    }
  }

  /**
   * Adds one header to {@code out} unless its flags hit {@code drop}; returns {@code named} with
   * the names a dropped {@code Connection} header lists added.
   */
  private static @Nullable List<String> copyOne(
      CharSequence key, CharSequence value, MultiMap out, int drop, @Nullable List<String> named) {
    int slot = HeaderNames.slot(key);
    if (slot >= 0) {
      if ((HeaderNames.flagsAt(slot) & drop) == 0) {
        out.add(HeaderNames.asciiAt(slot), value);
      } else if (HeaderNames.nameAt(slot).equals("connection")) {
        return connectionTokens(value.toString(), named);
      }
      return named;
    }
    String name = key.toString().toLowerCase(Locale.ROOT);
    if (!name.startsWith(":")) {
      out.add(name, value);
    }
    return named;
  }

  /** Adds the names {@code value} lists that are not hop-by-hop already to {@code named}. */
  private static @Nullable List<String> connectionTokens(
      String value, @Nullable List<String> named) {
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      String t = value.substring(start, end).strip();
      if (!t.isEmpty()) {
        int slot = HeaderNames.slot(t);
        if (slot < 0 || (HeaderNames.flagsAt(slot) & HeaderNames.HOP_BY_HOP) == 0) {
          if (named == null) {
            named = new ArrayList<>(2);
          }
          named.add(slot >= 0 ? HeaderNames.nameAt(slot) : t.toLowerCase(Locale.ROOT));
        }
      }
      start = end + 1;
    }
    return named;
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

  /**
   * A client's {@code bulwark-deadline}: the remaining milliseconds (1 to 18 ASCII digits, blanks
   * around them allowed), or -1 if malformed. It can only shorten the route's timeout.
   */
  static long deadlineMillis(String value) {
    int from = 0;
    int to = value.length();
    while (from < to && value.charAt(from) <= ' ') {
      from++;
    }
    while (to > from && value.charAt(to - 1) <= ' ') {
      to--;
    }
    if (to == from || to - from > 18) {
      return -1;
    }
    long ms = 0;
    for (int i = from; i < to; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      ms = ms * 10 + (c - '0');
    }
    return ms;
  }
}
