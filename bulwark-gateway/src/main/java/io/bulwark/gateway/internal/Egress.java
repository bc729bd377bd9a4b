package io.bulwark.gateway.internal;

import io.bulwark.gateway.AddressClass;
import io.bulwark.http.discovery.Endpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * The egress guard: resolves an upstream endpoint once, refuses it unless every address it resolves
 * to is public or of a class its cluster allows, and hands back the one address to connect to (the
 * connection is pinned to the checked address; a later DNS answer cannot move it).
 */
final class Egress {
  private Egress() {}

  /** A checked endpoint: the address to connect to, or why it was refused. */
  record Verdict(Endpoint endpoint, InetAddress address, String refusal) {
    boolean allowed() {
      return refusal.isEmpty();
    }
  }

  static Verdict check(Endpoint endpoint, Set<AddressClass> allow) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(unbracket(endpoint.host()));
    } catch (UnknownHostException e) {
      return new Verdict(
          endpoint, InetAddress.getLoopbackAddress(), "cannot resolve " + endpoint.host());
    }
    for (InetAddress a : addresses) {
      AddressClass c = AddressClass.of(a);
      if (c != AddressClass.PUBLIC && (c == AddressClass.RESERVED || !allow.contains(c))) {
        // one bad answer refuses the endpoint: a name that resolves to public and private
        // addresses is how DNS rebinding picks the private one on a later lookup
        return new Verdict(
            endpoint,
            a,
            endpoint.host()
                + " resolves to "
                + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + " address "
                + a.getHostAddress()
                + (c == AddressClass.RESERVED
                    ? ", which is never allowed"
                    : "; the cluster's egress-allow must list "
                        + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
      }
    }
    return new Verdict(endpoint, addresses[0], "");
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
