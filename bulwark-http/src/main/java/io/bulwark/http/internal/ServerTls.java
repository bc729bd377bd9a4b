package io.bulwark.http.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.http.ServerConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a TLS server's certificate current: its key store and client CA files are read again every
 * {@code tlsReloadInterval} (and on {@link #check}); changed files that load (the key store opens
 * with its password and holds a key whose certificate is valid now, the CA file holds certificates)
 * are handed to every server instance, so new handshakes use them while open connections keep what
 * they were made with. Files that do not load are refused, logged once until they change again, and
 * the old certificate keeps serving. What is handed over are the bytes that were checked, so a file
 * written again between the check and the load cannot slip through.
 */
final class ServerTls {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  private final ServerConfig config;
  private final List<HttpServer> servers;
  private final ServerSSLOptions base;
  private final ReentrantLock checking = new ReentrantLock();
  private byte[] seen;
  private final TlsWatch watch;

  ServerTls(ServerConfig config, List<HttpServer> servers, ServerSSLOptions base) {
    this.config = config;
    this.servers = servers;
    this.base = base.copy();
    this.watch = new TlsWatch("port " + config.port(), this::check);
    byte[] now;
    try {
      now = fingerprint(read(config.keyStore()), read(config.clientCa()));
    } catch (IOException e) {
      now = new byte[0];
    }
    this.seen = now;
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
      byte[] keyStore;
      byte[] ca;
      try {
        keyStore = read(config.keyStore());
        ca = read(config.clientCa());
      } catch (IOException e) {
        return refuse(new byte[] {1}, "cannot read the TLS files: " + e);
      }
      byte[] now = fingerprint(keyStore, ca);
      if (Arrays.equals(now, seen)) {
        return null;
      }
      String problem = problem(keyStore, ca);
      if (problem != null) {
        return refuse(now, problem);
      }
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
      if (watch.stopped()) {
        return null; // the server is closing
      }
      for (HttpServer s : servers) {
        if (!TlsWatch.applied(s.updateSSLOptions(next, true))) {
          return refuse(now, "the server did not take the new certificate (closing?)");
        }
      }
      seen = now;
      String line =
          "reloaded: " + config.keyStore() + (ca.length > 0 ? ", " + config.clientCa() : "");
      LOG.info("port {}: TLS {}", config.port(), line);
      return line;
    } finally {
      checking.unlock();
    }
  }

  private String refuse(byte[] fingerprint, String problem) {
    String line = "refused: " + problem + "; the previous certificate keeps serving";
    if (!Arrays.equals(fingerprint, seen)) {
      LOG.warn("port {}: TLS {}", config.port(), line);
    }
    seen = fingerprint; // reported once, until the files change again
    return line;
  }

  private @Nullable String problem(byte[] keyStore, byte[] ca) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(keyStore), config.keyStorePassword().toCharArray());
      X509Certificate leaf = null;
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate c) {
          leaf = c;
          break;
        }
      }
      if (leaf == null) {
        return "key store " + config.keyStore() + " holds no key with a certificate";
      }
      try {
        leaf.checkValidity();
      } catch (java.security.cert.CertificateExpiredException e) {
        return "key store "
            + config.keyStore()
            + ": its certificate expired at "
            + leaf.getNotAfter().toInstant();
      } catch (java.security.cert.CertificateNotYetValidException e) {
        return "key store "
            + config.keyStore()
            + ": its certificate is not valid before "
            + leaf.getNotBefore().toInstant();
      }
    } catch (IOException | GeneralSecurityException e) {
      return "key store " + config.keyStore() + ": " + e.getMessage();
    }
    if (config.clientCa() != null) {
      try {
        if (CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(ca))
            .isEmpty()) {
          return "client-ca " + config.clientCa() + " holds no PEM certificate";
        }
      } catch (GeneralSecurityException e) {
        return "client-ca " + config.clientCa() + ": " + e.getMessage();
      }
    }
    return null;
  }

  private static byte[] read(@Nullable Path file) throws IOException {
    return file == null ? new byte[0] : Files.readAllBytes(file);
  }

  private static byte[] fingerprint(byte[] keyStore, byte[] ca) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(keyStore);
      d.update((byte) 0);
      d.update(ca);
      return d.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }
}
