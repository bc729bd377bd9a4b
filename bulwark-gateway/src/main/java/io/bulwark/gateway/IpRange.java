package io.bulwark.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A CIDR range of IPv4 or IPv6 addresses ({@code 10.0.0.0/8}, {@code fd00::/8}, or one address).
 * Immutable.
 *
 * @param network the network address, with host bits cleared
 * @param prefixLength the number of leading bits that must match
 */
public record IpRange(InetAddress network, int prefixLength) {
  public IpRange {
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          "prefix length must be 0 to " + bits + ", was " + prefixLength);
    }
  }

  /**
   * Parses {@code address/prefix} or a single address; only IP literals, never a host name (so that
   * parsing does no DNS lookup).
   *
   * @throws IllegalArgumentException naming {@code text} if it is not such a range
   */
  public static IpRange parse(String text) {
    String t = text.strip();
    int slash = t.indexOf('/');
    String host = slash < 0 ? t : t.substring(0, slash);
    if (!isIpLiteral(host)) {
      throw new IllegalArgumentException(
          "expected an IP address or CIDR range such as 10.0.0.0/8, got \"" + text + "\"");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: \"" + text + "\"", e);
    }
    int bits = address.getAddress().length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in \"" + text + "\"", e);
    }
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException(
          "prefix length must be 0 to " + bits + " in \"" + text + "\"");
    }
    return new IpRange(address, prefix);
  }

  /** True if {@code text} is an IPv4 or IPv6 literal (no lookup is needed to read it). */
  public static boolean isIpLiteral(String text) {
    if (text.isEmpty()) {
      return false;
    }
    if (text.indexOf(':') >= 0) {
      return text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** True if {@code address} is inside this range (an IPv4 and an IPv6 address never match). */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != n[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (n[full] & mask);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }
}
