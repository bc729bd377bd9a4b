package io.bulwark.gateway;

import io.bulwark.core.config.ConfigReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * TLS termination on a listener. Key material is either PEM ({@code certificate}: the chain, leaf
 * first; {@code key}: its PKCS#8 private key) or PKCS#12 ({@code pkcs12}, its password read from
 * the environment variable {@code password-env} or the file {@code password-file}; the password is
 * never part of the config, its diff or a log line). The files are watched: every {@code
 * reload-interval} a changed file is loaded and checked (parses, key matches the certificate, not
 * expired) and new handshakes use it; connections already open keep theirs; an invalid new file is
 * rejected with an error naming it and the old certificate keeps serving.
 *
 * <p>YAML keys: {@code certificate}, {@code key}, {@code pkcs12}, {@code password-env}, {@code
 * password-file}, {@code protocols} (TLSv1.2, TLSv1.3; both by default), {@code alpn} (h2,
 * http/1.1; both by default, h2 preferred), {@code reload-interval} (10s), {@code
 * handshake-timeout} (10s).
 *
 * @param certificate PEM certificate chain, or null with {@code pkcs12}
 * @param key PEM PKCS#8 private key, or null with {@code pkcs12}
 * @param pkcs12 PKCS#12 key store, or null with PEM files
 * @param passwordEnv the environment variable holding the PKCS#12 password, or null
 * @param passwordFile the file holding the PKCS#12 password (trailing newline ignored), or null
 * @param protocols TLS versions offered: a non-empty subset of TLSv1.2 and TLSv1.3
 * @param alpn application protocols offered, in preference order: h2 and/or http/1.1
 * @param reloadInterval how often the key material files are checked for a change
 * @param handshakeTimeout a handshake not complete after this long is closed
 */
public record TlsConfig(
    @Nullable Path certificate,
    @Nullable Path key,
    @Nullable Path pkcs12,
    @Nullable String passwordEnv,
    @Nullable Path passwordFile,
    List<String> protocols,
    List<String> alpn,
    Duration reloadInterval,
    Duration handshakeTimeout) {
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  static final Set<String> ALPN = Set.of("h2", "http/1.1");

  public TlsConfig {
    protocols = List.copyOf(protocols);
    alpn = List.copyOf(alpn);
    boolean pem = certificate != null || key != null;
    if (pem && pkcs12 != null) {
      throw new IllegalArgumentException("set either certificate + key (PEM) or pkcs12, not both");
    }
    if (!pem && pkcs12 == null) {
      throw new IllegalArgumentException("needs certificate + key (PEM) or pkcs12");
    }
    if (pem && (certificate == null || key == null)) {
      throw new IllegalArgumentException(
          certificate == null ? "key needs certificate" : "certificate needs key");
    }
    if (pkcs12 == null && (passwordEnv != null || passwordFile != null)) {
      throw new IllegalArgumentException("password-env and password-file are for pkcs12 only");
    }
    if (passwordEnv != null && passwordFile != null) {
      throw new IllegalArgumentException("set either password-env or password-file, not both");
    }
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("protocols must not be empty");
    }
    for (String p : protocols) {
      if (!PROTOCOLS.contains(p)) {
        throw new IllegalArgumentException(
            "protocols: \"" + p + "\" is not allowed; use TLSv1.2 and/or TLSv1.3");
      }
    }
    if (alpn.isEmpty()) {
      throw new IllegalArgumentException("alpn must not be empty");
    }
    for (String a : alpn) {
      if (!ALPN.contains(a)) {
        throw new IllegalArgumentException(
            "alpn: \"" + a + "\" is not supported; use h2 and/or http/1.1");
      }
    }
    ListenerConfig.positive("reload-interval", reloadInterval);
    ListenerConfig.positive("handshake-timeout", handshakeTimeout);
  }

  /** PEM files, TLS 1.2 and 1.3, ALPN h2 then http/1.1, checked every 10 s. */
  public static TlsConfig pem(Path certificate, Path key) {
    return new TlsConfig(
        certificate,
        key,
        null,
        null,
        null,
        List.of("TLSv1.2", "TLSv1.3"),
        List.of("h2", "http/1.1"),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10));
  }

  /** A copy checked every {@code interval}. */
  public TlsConfig withReloadInterval(Duration interval) {
    return new TlsConfig(
        certificate,
        key,
        pkcs12,
        passwordEnv,
        passwordFile,
        protocols,
        alpn,
        interval,
        handshakeTimeout);
  }

  static TlsConfig bind(ConfigReader r, Path base) {
    Object[] v = new Object[9];
    v[5] = List.of("TLSv1.2", "TLSv1.3");
    v[6] = List.of("h2", "http/1.1");
    v[7] = Duration.ofSeconds(10);
    v[8] = Duration.ofSeconds(10);
    r.string("certificate", s -> v[0] = base.resolve(s))
        .string("key", s -> v[1] = base.resolve(s))
        .string("pkcs12", s -> v[2] = base.resolve(s))
        .string("password-env", s -> v[3] = s)
        .string("password-file", s -> v[4] = base.resolve(s))
        .strings("protocols", l -> v[5] = l)
        .strings("alpn", l -> v[6] = l)
        .duration("reload-interval", d -> v[7] = d)
        .duration("handshake-timeout", d -> v[8] = d);
    @SuppressWarnings("unchecked")
    List<String> protocols = (List<String>) v[5];
    @SuppressWarnings("unchecked")
    List<String> alpn = (List<String>) v[6];
    return new TlsConfig(
        (Path) v[0],
        (Path) v[1],
        (Path) v[2],
        (String) v[3],
        (Path) v[4],
        protocols,
        alpn,
        (Duration) v[7],
        (Duration) v[8]);
  }
}
