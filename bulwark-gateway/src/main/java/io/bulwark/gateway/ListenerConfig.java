package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One port the gateway accepts client traffic on, with the limits that protect it. YAML keys:
 * {@code host}, {@code port}, {@code max-header-bytes}, {@code max-uri-length}, {@code
 * max-body-bytes}, {@code idle-timeout}, {@code trusted-proxies}, {@code
 * max-connections-per-client}.
 *
 * @param name the listener's name (routes are shared by all listeners)
 * @param host the address to bind; loopback unless set (an edge gateway sets {@code 0.0.0.0})
 * @param port the port, 0 for any free one
 * @param maxHeaderBytes the largest request head (request line and headers) answered; more gets 431
 * @param maxUriLength the longest request line answered; more gets 414
 * @param maxBodyBytes the largest request body forwarded; more gets 413 (or a reset once the answer
 *     has started)
 * @param idleTimeout a connection with no traffic either way for this long is closed (also one that
 *     stalls half way through its request head)
 * @param trustedProxies the peers whose {@code X-Forwarded-*} and {@code Forwarded} headers are
 *     kept; from any other peer they are replaced
 * @param maxConnectionsPerClient the most open connections one client IP may hold (default 64); the
 *     next one is closed at once. Trusted proxies are exempt (they carry many clients); 0 turns the
 *     limit off
 */
public record ListenerConfig(
    String name,
    String host,
    int port,
    int maxHeaderBytes,
    int maxUriLength,
    long maxBodyBytes,
    Duration idleTimeout,
    List<IpRange> trustedProxies,
    int maxConnectionsPerClient) {

  /** The default of {@code max-connections-per-client}. */
  public static final int DEFAULT_CONNECTIONS_PER_CLIENT = 64;

  public ListenerConfig(
      String name,
      String host,
      int port,
      int maxHeaderBytes,
      int maxUriLength,
      long maxBodyBytes,
      Duration idleTimeout,
      List<IpRange> trustedProxies) {
    this(
        name,
        host,
        port,
        maxHeaderBytes,
        maxUriLength,
        maxBodyBytes,
        idleTimeout,
        trustedProxies,
        DEFAULT_CONNECTIONS_PER_CLIENT);
  }

  public ListenerConfig {
    if (maxConnectionsPerClient < 0) {
      throw new IllegalArgumentException(
          "max-connections-per-client must be ≥ 0 (0: no limit), was " + maxConnectionsPerClient);
    }
    checkPort(port);
    positive("max-header-bytes", maxHeaderBytes);
    positive("max-uri-length", maxUriLength);
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("max-body-bytes must be ≥ 0, was " + maxBodyBytes);
    }
    positive("idle-timeout", idleTimeout);
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** A loopback listener on {@code port} with the default limits. */
  public static ListenerConfig of(String name, int port) {
    return new ListenerConfig(
        name, "127.0.0.1", port, 8192, 4096, 10L * 1024 * 1024, Duration.ofSeconds(60), List.of());
  }

  static ListenerConfig bind(String name, ConfigReader r) {
    ListenerConfig d = of(name, 0);
    String[] host = {d.host()};
    int[] ints = {d.port(), d.maxHeaderBytes(), d.maxUriLength()};
    long[] body = {d.maxBodyBytes()};
    Duration[] times = {d.idleTimeout()};
    List<IpRange> proxies = new ArrayList<>();
    int[] perClient = {DEFAULT_CONNECTIONS_PER_CLIENT};
    r.integer(
        "max-connections-per-client",
        v -> {
          if (v < 0) {
            throw new IllegalArgumentException("must be ≥ 0 (0: no limit), was " + v);
          }
          perClient[0] = v;
        });
    r.require("port")
        .string("host", v -> host[0] = v)
        .integer("port", v -> ints[0] = checkPort(v))
        .integer("max-header-bytes", v -> ints[1] = v)
        .integer("max-uri-length", v -> ints[2] = v)
        .longValue("max-body-bytes", v -> body[0] = v)
        .duration("idle-timeout", v -> times[0] = v)
        .strings("trusted-proxies", l -> l.forEach(s -> proxies.add(IpRange.parse(s))));
    return new ListenerConfig(
        name, host[0], ints[0], ints[1], ints[2], body[0], times[0], proxies, perClient[0]);
  }

  static int checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
    }
    return port;
  }

  static void positive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be > 0, was " + value);
    }
  }

  static void positive(String field, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be > 0, was " + value);
    }
  }
}
