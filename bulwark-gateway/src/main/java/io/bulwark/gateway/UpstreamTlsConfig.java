package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * TLS from the gateway to a cluster's endpoints. The upstream's certificate is always verified: its
 * chain must lead to a trusted certificate ({@code ca}, a PEM bundle; without it the JDK's default
 * trust store) and it must be issued to the name the gateway expects ({@code server-name}, also
 * sent as SNI; without it each endpoint's own host as configured or discovered). There is no switch
 * to turn verification off. With {@code certificate} and {@code key} (PEM, PKCS#8) the gateway
 * presents a client certificate: mutual TLS, the upstream can tell the gateway's workload identity.
 * The files are read and checked when the config is loaded (they parse, the key matches the
 * certificate, which is valid now). They are watched: every {@code reload-interval} a changed file
 * is checked and, if valid, the cluster's connections are renewed with it (as on a config reload);
 * an invalid one is reported and the previous files stay in use.
 *
 * <p>YAML keys (under a cluster's {@code tls}): {@code ca}, {@code certificate}, {@code key},
 * {@code server-name}, {@code protocols} (TLSv1.2, TLSv1.3; both by default), {@code
 * reload-interval} (10s). Paths are relative to the config file's directory.
 *
 * @param ca PEM certificates to trust, or null for the JDK's default trust store
 * @param certificate PEM client certificate chain (leaf first) for mutual TLS, or null
 * @param key PEM PKCS#8 private key of {@code certificate}, or null
 * @param serverName the name the upstream's certificate must be issued to (and the SNI sent), or
 *     null for each endpoint's host
 * @param protocols TLS versions offered: a non-empty subset of TLSv1.2 and TLSv1.3
 * @param reloadInterval how often the files are checked for a change
 */
public record UpstreamTlsConfig(
    @Nullable Path ca,
    @Nullable Path certificate,
    @Nullable Path key,
    @Nullable String serverName,
    List<String> protocols,
    Duration reloadInterval) {

  public UpstreamTlsConfig {
    protocols = List.copyOf(protocols);
    if ((certificate == null) != (key == null)) {
      throw new IllegalArgumentException(
          certificate == null
              ? "key needs certificate (the client certificate for mutual TLS)"
              : "certificate needs key (the client certificate's private key)");
    }
    if (serverName != null && !validServerName(serverName)) {
      throw new IllegalArgumentException(
          "server-name: \""
              + serverName
              + "\" is not a DNS name (letters, digits, '-' and '.', no IP address)");
    }
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("protocols must not be empty");
    }
    for (String p : protocols) {
      if (!TlsConfig.PROTOCOLS.contains(p)) {
        throw new IllegalArgumentException(
            "protocols: \"" + p + "\" is not allowed; use TLSv1.2 and/or TLSv1.3");
      }
    }
    ListenerConfig.positive("reload-interval", reloadInterval);
  }

  /** Verification against {@code ca} (null: the JDK's trust store), no client certificate. */
  public static UpstreamTlsConfig trusting(@Nullable Path ca) {
    return new UpstreamTlsConfig(
        ca, null, null, null, List.of("TLSv1.2", "TLSv1.3"), Duration.ofSeconds(10));
  }

  /** A copy that presents {@code certificate} with {@code key} (mutual TLS). */
  public UpstreamTlsConfig withClientCertificate(Path certificate, Path key) {
    return new UpstreamTlsConfig(ca, certificate, key, serverName, protocols, reloadInterval);
  }

  /** A copy that checks its files every {@code interval}. */
  public UpstreamTlsConfig withReloadInterval(Duration interval) {
    return new UpstreamTlsConfig(ca, certificate, key, serverName, protocols, interval);
  }

  /** A copy that expects the upstream's certificate to be issued to {@code name}. */
  public UpstreamTlsConfig withServerName(String name) {
    return new UpstreamTlsConfig(ca, certificate, key, name, protocols, reloadInterval);
  }

  static UpstreamTlsConfig bind(ConfigReader r, Path base) {
    Object[] v = new Object[6];
    v[4] = List.of("TLSv1.2", "TLSv1.3");
    v[5] = Duration.ofSeconds(10);
    r.string("ca", s -> v[0] = base.resolve(s))
        .string("certificate", s -> v[1] = base.resolve(s))
        .string("key", s -> v[2] = base.resolve(s))
        .string("server-name", s -> v[3] = s)
        .strings("protocols", l -> v[4] = l)
        .duration("reload-interval", d -> v[5] = d);
    @SuppressWarnings("unchecked")
    List<String> protocols = (List<String>) v[4];
    return new UpstreamTlsConfig(
        (Path) v[0], (Path) v[1], (Path) v[2], (String) v[3], protocols, (Duration) v[5]);
  }

  private static boolean validServerName(String name) {
    if (name.isEmpty() || name.length() > 253 || name.startsWith(".") || name.endsWith(".")) {
      return false;
    }
    boolean letter = false;
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        letter |= alpha;
        if (!alpha && !(c >= '0' && c <= '9') && c != '-') {
          return false;
        }
      }
    }
    return letter; // all digits and dots would be an IPv4 address
  }
}
