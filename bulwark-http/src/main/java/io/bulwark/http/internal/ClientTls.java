package io.bulwark.http.internal;

import io.bulwark.core.identity.WorkloadIdentity;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.client.ClientConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a TLS client's own certificate and trust current (see {@link TlsFiles}): its key store and
 * trust store, read again every {@code tlsReloadInterval}; a change that loads is handed to the
 * client, so new connections use it (pooled connections keep theirs).
 */
final class ClientTls extends TlsFiles {
  private final ClientConfig config;
  private final HttpClientAgent http;
  private final ClientSSLOptions base;

  ClientTls(String name, ClientConfig config, HttpClientAgent http, ClientSSLOptions base) {
    super("client " + name, config.keyStore(), config.trustStore());
    this.config = config;
    this.http = http;
    this.base = base.copy();
  }

  /** Whether {@code config} names TLS files worth watching. */
  static boolean watches(ClientConfig config) {
    return config.tls() && (config.keyStore() != null || config.trustStore() != null);
  }

  void start(Scheduler scheduler) {
    start(scheduler, config.tlsReloadInterval());
  }

  @Override
  @Nullable String problem(byte[] own, byte[] trust) {
    Path ownFile = config.keyStore();
    if (ownFile != null) {
      String problem = keyStoreProblem(ownFile, own, config.keyStorePassword());
      if (problem != null) {
        return problem;
      }
    }
    Path trustFile = config.trustStore();
    if (trustFile != null) {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(trust), config.trustStorePassword().toCharArray());
        if (store.size() == 0) {
          return "trust store " + trustFile + " holds no certificate";
        }
      } catch (IOException | GeneralSecurityException e) {
        return "trust store " + trustFile + ": " + e.getMessage();
      }
    }
    return null;
  }

  @Override
  boolean apply(byte[] own, byte[] trust) {
    ClientSSLOptions next = base.copy();
    if (config.keyStore() != null) {
      next.setKeyCertOptions(
          new KeyStoreOptions()
              .setType("PKCS12")
              .setValue(Buffer.buffer(own))
              .setPassword(config.keyStorePassword()));
    }
    WorkloadIdentity server = config.serverIdentity();
    if (server != null) {
      next.setTrustOptions(
          TrustOptions.wrap(
              IdentityTrust.expecting(
                  server,
                  config.trustStore() == null ? null : trust,
                  config.trustStorePassword())));
    } else if (config.trustStore() != null) {
      next.setTrustOptions(
          new KeyStoreOptions()
              .setType("PKCS12")
              .setValue(Buffer.buffer(trust))
              .setPassword(config.trustStorePassword()));
    }
    return TlsWatch.applied(http.updateSSLOptions(next, true));
  }

  @Override
  String keptInUse() {
    return "the previous files stay in use";
  }
}
