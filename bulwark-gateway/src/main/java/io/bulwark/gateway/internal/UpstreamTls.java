package io.bulwark.gateway.internal;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.ClusterConfig;
import io.bulwark.gateway.TlsConfig;
import io.bulwark.gateway.UpstreamTlsConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a cluster's HTTP client ({@link UpstreamTlsConfig}): the trusted certificates and
 * the client certificate, read and checked before any connection uses them, and the client options
 * that make every connection verify the upstream's chain and name. Verification cannot be turned
 * off here: the options always keep the JDK's host name check (HTTPS rules) on.
 */
public final class UpstreamTls {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamTls.class);

  private UpstreamTls() {}

  /**
   * Reads and checks {@code tls}'s files (the trusted certificates parse; the client certificate
   * parses, matches its key and is valid now); throws naming the file otherwise.
   */
  public static void check(UpstreamTlsConfig tls) {
    check(tls, Instant.now()); // a config being loaded: no scheduler's clock yet
  }

  private static void check(UpstreamTlsConfig tls, Instant now) {
    apply(new HttpClientOptions(), tls, ClusterConfig.Protocol.HTTP1, now);
  }

  /**
   * Sets TLS on {@code o} for a cluster speaking {@code protocol}, checking the files at {@code
   * now}.
   */
  static void apply(
      HttpClientOptions o, UpstreamTlsConfig tls, ClusterConfig.Protocol protocol, Instant now) {
    o.setSsl(true).setVerifyHost(true).setTrustAll(false);
    o.setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.protocols()));
    Path ca = tls.ca();
    if (ca != null) {
      byte[] bytes = read(ca, "ca");
      TlsMaterial.certificates(ca, bytes); // parses, or names the file
      o.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(bytes)));
    }
    Path certificate = tls.certificate();
    Path key = tls.key();
    if (certificate != null && key != null) {
      TlsMaterial client = TlsMaterial.load(TlsConfig.pem(certificate, key), name -> null, now);
      o.setKeyCertOptions(client.options);
    }
    if (tls.serverName() != null) {
      o.setForceSni(true);
    }
    if (protocol == ClusterConfig.Protocol.H2) {
      o.setProtocolVersion(HttpVersion.HTTP_2)
          .setUseAlpn(true)
          .setAlpnVersions(List.of(HttpVersion.HTTP_2));
    }
  }

  /**
   * The contents of {@code tls}'s files (empty for no TLS), to tell on a reload whether a file
   * changed under the same path; a file that cannot be read gives a value that never matches.
   */
  static byte[] fingerprint(@Nullable UpstreamTlsConfig tls) {
    if (tls == null) {
      return new byte[0];
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Path p : java.util.Arrays.asList(tls.ca(), tls.certificate(), tls.key())) {
      if (p == null) {
        out.write(0);
        continue;
      }
      try {
        out.writeBytes(Files.readAllBytes(p));
      } catch (IOException e) {
        out.writeBytes(java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
      }
      out.write(0);
    }
    return out.toByteArray();
  }

  /**
   * Watches {@code tls}'s files for cluster {@code cluster}, which read them as {@code seen}: every
   * reload interval, files whose contents changed are checked; valid ones run {@code changed} (once
   * per change), invalid ones are reported once and left unused.
   */
  static ScheduledTask watch(
      String cluster, UpstreamTlsConfig tls, byte[] seen, Scheduler scheduler, Runnable changed) {
    long every = Scheduler.saturatedNanos(tls.reloadInterval());
    byte[][] last = {seen};
    return scheduler.scheduleAtFixedRate(
        every,
        every,
        () -> {
          byte[] now = fingerprint(tls);
          if (java.util.Arrays.equals(now, last[0])) {
            return;
          }
          last[0] = now;
          try {
            check(tls, scheduler.clock().instant());
          } catch (IllegalArgumentException e) {
            LOG.error(
                "cluster {}: new TLS files rejected, the previous ones stay in use: {}",
                cluster,
                e.getMessage());
            return;
          }
          LOG.info("cluster {}: TLS files changed: renewing its connections", cluster);
          changed.run();
        });
  }

  private static byte[] read(Path file, String key) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read " + file + ": " + e, e);
    }
  }
}
