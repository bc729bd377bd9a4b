package io.bulwark.gateway.internal;

import io.bulwark.gateway.IpRange;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The client's address for per-client decisions (rate limits, connection limits). The peer is the
 * client unless it is a trusted proxy; then {@code X-Forwarded-For} is read from the right,
 * skipping trusted proxies, and the first untrusted hop is the client (a client cannot pick its own
 * key by prepending entries, since only the hops appended by trusted proxies are believed).
 */
final class ClientAddress {
  private ClientAddress() {}

  static String of(String peer, @Nullable String forwardedFor, List<IpRange> trusted) {
    if (trusted.isEmpty() || forwardedFor == null || !isTrusted(peer, trusted)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",", -1);
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].strip();
      if (!IpRange.isIpLiteral(hop)) {
        return peer; // an unreadable hop: do not believe anything left of it
      }
      if (!isTrusted(hop, trusted)) {
        return hop;
      }
    }
    return peer;
  }

  static boolean isTrusted(String ip, List<IpRange> trusted) {
    return Forwarding.trusted(address(ip), trusted);
  }

  static @Nullable InetAddress address(String ip) {
    if (!IpRange.isIpLiteral(ip)) {
      return null;
    }
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
