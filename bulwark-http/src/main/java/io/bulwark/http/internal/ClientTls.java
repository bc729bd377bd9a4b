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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a TLS client's own certificate and trust current: its key store and trust store files are
 * read again every {@code tlsReloadInterval} (and on {@link #check}); changed files that load are
 * handed to the client, so new connections use them (pooled connections keep theirs). Files that do
 * not load are refused, logged once until they change again, and the old material stays in use. The
 * bytes checked are the bytes loaded.
 */
final class ClientTls {
  private static final Logger LOG = LoggerFactory.getLogger(ClientTls.class);

  private final String name;
  private final ClientConfig config;
  private final HttpClientAgent http;
  private final ClientSSLOptions base;
  private final ReentrantLock checking = new ReentrantLock();
  private byte[] seen;
  private final TlsWatch watch;

  ClientTls(String name, ClientConfig config, HttpClientAgent http, ClientSSLOptions base) {
    this.name = name;
    this.config = config;
    this.http = http;
    this.base = base.copy();
    this.watch = new TlsWatch("client " + name, this::check);
    byte[] now;
    try {
      now = fingerprint(read(config.keyStore()), read(config.trustStore()));
    } catch (IOException e) {
      now = new byte[0];
    }
    this.seen = now;
  }

  /** Whether {@code config} names TLS files worth watching. */
  static boolean watches(ClientConfig config) {
    return config.tls() && (config.keyStore() != null || config.trustStore() != null);
  }

  void start(Scheduler scheduler) {
    watch.start(scheduler, config.tlsReloadInterval());
  }

  void stop() {
    watch.stop();
  }

  /** Waits for a scheduled check in progress, then checks now (see {@link #check}). */
  @Nullable String checkNow() {
    return watch.now();
  }

  /**
   * Checks the files now: {@code "reloaded: ..."} or {@code "refused: ..."} when they changed, null
   * when they did not.
   */
  @Nullable String check() {
    checking.lock();
    try {
      byte[] own;
      byte[] trust;
      try {
        own = read(config.keyStore());
        trust = read(config.trustStore());
      } catch (IOException e) {
        return refuse(new byte[] {1}, "cannot read the TLS files: " + e);
      }
      byte[] now = fingerprint(own, trust);
      if (Arrays.equals(now, seen)) {
        return null;
      }
      String problem = problem(own, trust);
      if (problem != null) {
        return refuse(now, problem);
      }
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
      if (watch.stopped()) {
        return null; // the client is closing
      }
      if (!TlsWatch.applied(http.updateSSLOptions(next, true))) {
        return refuse(now, "the client did not take the new files (closing?)");
      }
      seen = now;
      String line = "reloaded: " + files();
      LOG.info("client {}: TLS {}", name, line);
      return line;
    } finally {
      checking.unlock();
    }
  }

  private String files() {
    StringBuilder b = new StringBuilder();
    if (config.keyStore() != null) {
      b.append(config.keyStore());
    }
    if (config.trustStore() != null) {
      b.append(b.isEmpty() ? "" : ", ").append(config.trustStore());
    }
    return b.toString();
  }

  private String refuse(byte[] fingerprint, String problem) {
    String line = "refused: " + problem + "; the previous files stay in use";
    if (!Arrays.equals(fingerprint, seen)) {
      LOG.warn("client {}: TLS {}", name, line);
    }
    seen = fingerprint;
    return line;
  }

  private @Nullable String problem(byte[] own, byte[] trust) {
    Path ownFile = config.keyStore();
    if (ownFile != null) {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(own), config.keyStorePassword().toCharArray());
        X509Certificate leaf = null;
        for (String alias : Collections.list(store.aliases())) {
          if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate c) {
            leaf = c;
            break;
          }
        }
        if (leaf == null) {
          return "key store " + ownFile + " holds no key with a certificate";
        }
        leaf.checkValidity();
      } catch (CertificateExpiredException e) {
        return "key store " + ownFile + ": its certificate has expired";
      } catch (CertificateNotYetValidException e) {
        return "key store " + ownFile + ": its certificate is not valid yet";
      } catch (IOException | GeneralSecurityException e) {
        return "key store " + ownFile + ": " + e.getMessage();
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

  private static byte[] read(@Nullable Path file) throws IOException {
    return file == null ? new byte[0] : Files.readAllBytes(file);
  }

  private static byte[] fingerprint(byte[] own, byte[] trust) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(own);
      d.update((byte) 0);
      d.update(trust);
      return d.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }
}
