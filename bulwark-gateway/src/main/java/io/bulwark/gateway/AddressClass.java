package io.bulwark.gateway;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The kinds of address the egress guard tells apart. An upstream that resolves to anything but
 * {@link #PUBLIC} is refused unless its cluster lists that class in {@code egress-allow}; {@link
 * #RESERVED} (multicast, broadcast, documentation-only ranges) can never be allowed.
 */
public enum AddressClass {
  /** A routable, global address. */
  PUBLIC,
  /** 127.0.0.0/8, ::1. */
  LOOPBACK,
  /** 10/8, 172.16/12, 192.168/16, 100.64/10 (shared CGNAT), fc00::/7 (unique local). */
  PRIVATE,
  /** 169.254/16 and fe80::/10, other than the metadata addresses. */
  LINK_LOCAL,
  /**
   * Cloud metadata services: 169.254.169.254, 169.254.170.2 (ECS task metadata), fd00:ec2::254,
   * 100.100.100.200. A class of its own so that allowing {@code private} or {@code link-local}
   * never opens them.
   */
  METADATA,
  /** 0.0.0.0/8 and ::. */
  UNSPECIFIED,
  /** Multicast, 240/4 and the broadcast address: never an upstream. */
  RESERVED;

  /** The class of {@code address} (an IPv4-mapped IPv6 address is classified as its IPv4). */
  public static AddressClass of(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet6Address && isV4Mapped(b)) {
      return ofV4(new byte[] {b[12], b[13], b[14], b[15]});
    }
    return address instanceof Inet4Address ? ofV4(b) : ofV6(b);
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  private static AddressClass ofV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    int a3 = b[3] & 0xff;
    if ((a0 == 169 && a1 == 254 && ((a2 == 169 && a3 == 254) || (a2 == 170 && a3 == 2)))
        || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200)) {
      return METADATA;
    }
    if (a0 == 127) {
      return LOOPBACK;
    }
    if (a0 == 0) {
      return UNSPECIFIED;
    }
    if (a0 == 10
        || (a0 == 172 && a1 >= 16 && a1 <= 31)
        || (a0 == 192 && a1 == 168)
        || (a0 == 100 && a1 >= 64 && a1 <= 127)) {
      return PRIVATE;
    }
    if (a0 == 169 && a1 == 254) {
      return LINK_LOCAL;
    }
    if (a0 >= 224) {
      return RESERVED;
    }
    return PUBLIC;
  }

  private static AddressClass ofV6(byte[] b) {
    boolean zeroUpTo15 = true;
    for (int i = 0; i < 15; i++) {
      zeroUpTo15 &= b[i] == 0;
    }
    if (zeroUpTo15 && b[15] == 1) {
      return LOOPBACK;
    }
    if (zeroUpTo15 && b[15] == 0) {
      return UNSPECIFIED;
    }
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (isEc2Metadata(b)) {
      return METADATA;
    }
    if ((b0 & 0xfe) == 0xfc) {
      return PRIVATE;
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
      return LINK_LOCAL;
    }
    if (b0 == 0xff) {
      return RESERVED;
    }
    return PUBLIC;
  }

  /** fd00:ec2::254. */
  private static boolean isEc2Metadata(byte[] b) {
    byte[] want = {(byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    return java.util.Arrays.equals(b, want);
  }
}
