package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

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
 * @param edge the edge settings: request-head timeout, absolute form, TLS, compression
 * @param maxConnectionsPerClient the most open connections one client IP may hold (default 64),
 *     counted at accept by bulwark-http's wire guard on plain-HTTP listeners; the next one gets 503
 *     and the close. Trusted proxies count too (nothing is read before the count); 0 turns the
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
    Edge edge,
    int maxConnectionsPerClient) {

  /** The default of {@code max-connections-per-client}. */
  public static final int DEFAULT_CONNECTIONS_PER_CLIENT = 64;

  /**
   * The edge settings of a listener (wire defences, TLS, compression).
   *
   * @param requestHeadTimeout a request head not complete this long after its first byte gets 408
   *     and the close, however steadily its bytes trickle in (slowloris); on a TLS listener the
   *     handshake timeout and the idle timeout apply instead
   * @param absoluteForm whether a request line in absolute form ({@code GET http://host/path}) is
   *     accepted (its path is routed, its authority must be the Host); refused with 400 by default
   * @param tls TLS termination, or null for plain HTTP
   * @param compression response compression (off by default)
   */
  public record Edge(
      Duration requestHeadTimeout,
      boolean absoluteForm,
      @Nullable TlsConfig tls,
      CompressionConfig compression) {
    public static final Edge DEFAULTS =
        new Edge(Duration.ofSeconds(10), false, null, CompressionConfig.OFF);

    public Edge {
      positive("request-head-timeout", requestHeadTimeout);
    }

    public Edge withTls(@Nullable TlsConfig tls) {
      return new Edge(requestHeadTimeout, absoluteForm, tls, compression);
    }

    public Edge withCompression(CompressionConfig compression) {
      return new Edge(requestHeadTimeout, absoluteForm, tls, compression);
    }

    public Edge withRequestHeadTimeout(Duration timeout) {
      return new Edge(timeout, absoluteForm, tls, compression);
    }
  }

  /** A listener with the default edge settings. */
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
        Edge.DEFAULTS,
        DEFAULT_CONNECTIONS_PER_CLIENT);
  }

  /** A copy with {@code edge} settings. */
  public ListenerConfig withEdge(Edge edge) {
    return new ListenerConfig(
        name,
        host,
        port,
        maxHeaderBytes,
        maxUriLength,
        maxBodyBytes,
        idleTimeout,
        trustedProxies,
        edge,
        maxConnectionsPerClient);
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
    java.util.Objects.requireNonNull(edge, "edge");
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
    Duration[] head = {Edge.DEFAULTS.requestHeadTimeout()};
    boolean[] absolute = {false};
    r.require("port")
        .string("host", v -> host[0] = v)
        .integer("port", v -> ints[0] = checkPort(v))
        .integer("max-header-bytes", v -> ints[1] = v)
        .integer("max-uri-length", v -> ints[2] = v)
        .longValue("max-body-bytes", v -> body[0] = v)
        .duration("idle-timeout", v -> times[0] = v)
        .strings("trusted-proxies", l -> l.forEach(s -> proxies.add(IpRange.parse(s))))
        .duration("request-head-timeout", v -> head[0] = v)
        .bool("absolute-form", v -> absolute[0] = v);
    Path base = baseDirectory(r);
    TlsConfig tls = r.section("tls", t -> TlsConfig.bind(t, base));
    CompressionConfig compression = r.section("compression", CompressionConfig::bind);
    Edge edge =
        new Edge(
            head[0], absolute[0], tls, compression == null ? CompressionConfig.OFF : compression);
    return new ListenerConfig(
        name, host[0], ints[0], ints[1], ints[2], body[0], times[0], proxies, edge, perClient[0]);
  }

  /** Relative key-material paths are relative to the config file's directory. */
  static Path baseDirectory(ConfigReader r) {
    Path source = Path.of(r.location().source());
    Path parent = source.toAbsolutePath().getParent();
    return parent == null ? Path.of("") : parent;
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
