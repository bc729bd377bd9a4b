package io.bulwark.http.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.ServerConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a TLS server's certificate current (see {@link TlsFiles}): its key store and client CA,
 * read again every {@code tlsReloadInterval}; a change that loads (the key store opens with its
 * password and holds a key whose certificate is valid now, the CA file holds certificates) is
 * handed to every server instance, so new handshakes use it while open connections keep what they
 * were made with.
 */
final class ServerTls extends TlsFiles {
  private final ServerConfig config;
  private final List<HttpServer> servers;
  private final ServerSSLOptions base;

  ServerTls(ServerConfig config, List<HttpServer> servers, ServerSSLOptions base) {
    super("port " + config.port(), config.keyStore(), config.clientCa());
    this.config = config;
    this.servers = servers;
    this.base = base.copy();
  }

  void start(Scheduler scheduler) {
    start(scheduler, config.tlsReloadInterval());
  }

  @Override
  @Nullable String problem(byte[] keyStore, byte[] ca) {
    String problem =
        keyStoreProblem(
            Objects.requireNonNull(config.keyStore(), "TLS"), keyStore, config.keyStorePassword());
    if (problem != null) {
      return problem;
    }
    Path caFile = config.clientCa();
    if (caFile != null) {
      try {
        if (CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(ca))
            .isEmpty()) {
          return "client-ca " + caFile + " holds no PEM certificate";
        }
      } catch (GeneralSecurityException e) {
        return "client-ca " + caFile + ": " + e.getMessage();
      }
    }
    return null;
  }

  @Override
  boolean apply(byte[] keyStore, byte[] ca) {
    ServerSSLOptions next =
        base.copy()
            .setKeyCertOptions(
                new KeyStoreOptions()
                    .setType("PKCS12")
                    .setValue(Buffer.buffer(keyStore))
                    .setPassword(config.keyStorePassword()));
    if (ca.length > 0) {
      next.setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(ca)));
    }
    for (HttpServer s : servers) {
      if (!TlsWatch.applied(s.updateSSLOptions(next, true))) {
        return false;
      }
    }
    return true;
  }

  @Override
  String keptInUse() {
    return "the previous certificate keeps serving";
  }
}
