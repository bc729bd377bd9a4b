package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the admin API listens (config version, routes, clusters, {@code /metrics}, health). Bound
 * to loopback by default; another address needs {@code allow-remote: true}, since the admin API
 * shows the whole routing table. YAML keys: {@code host}, {@code port}, {@code enabled}, {@code
 * allow-remote}.
 *
 * @param enabled false to run no admin listener
 * @param host the address to bind
 * @param port the port, 0 for any free one
 * @param allowRemote whether {@code host} may be other than a loopback address
 */
public record AdminConfig(boolean enabled, String host, int port, boolean allowRemote) {
  public AdminConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
    }
    if (enabled && !allowRemote && !isLoopback(host)) {
      throw new IllegalArgumentException(
          "admin host \""
              + host
              + "\" is not a loopback address; the admin API shows the routing table, so binding"
              + " it elsewhere needs allow-remote: true");
    }
  }

  /** Loopback, port 9901. */
  public static AdminConfig defaults() {
    return new AdminConfig(true, "127.0.0.1", 9901, false);
  }

  /** No admin listener. */
  public static AdminConfig disabled() {
    return new AdminConfig(false, "127.0.0.1", 0, false);
  }

  static AdminConfig bind(ConfigReader r) {
    AdminConfig d = defaults();
    boolean[] flags = {d.enabled(), d.allowRemote()};
    String[] host = {d.host()};
    int[] port = {d.port()};
    r.bool("enabled", v -> flags[0] = v)
        .string("host", v -> host[0] = v)
        .integer("port", v -> port[0] = ListenerConfig.checkPort(v))
        .bool("allow-remote", v -> flags[1] = v);
    return new AdminConfig(flags[0], host[0], port[0], flags[1]);
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (!IpRange.isIpLiteral(host)) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
