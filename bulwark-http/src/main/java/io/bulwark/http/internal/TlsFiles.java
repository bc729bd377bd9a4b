package io.bulwark.http.internal;

import io.bulwark.core.time.Scheduler;
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
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two TLS files of a server or a client kept current ({@link ServerTls}, {@link ClientTls}): read
 * again every interval (on a {@link TlsWatch}) and on demand; changed files that pass {@link
 * #problem} are handed over by {@link #apply} — the bytes that were checked, so a file rewritten in
 * between cannot slip through. Files that fail are refused and logged once, until they change
 * again, and the previous ones stay in use.
 */
abstract class TlsFiles {
  private static final Logger LOG = LoggerFactory.getLogger(TlsFiles.class);

  private final String owner;
  private final @Nullable Path first;
  private final @Nullable Path second;
  private final ReentrantLock checking = new ReentrantLock();
  private final TlsWatch watch;
  private byte[] seen;

  TlsFiles(String owner, @Nullable Path first, @Nullable Path second) {
    this.owner = owner;
    this.first = first;
    this.second = second;
    this.watch = new TlsWatch(owner, this::check);
    byte[] now;
    try {
      now = fingerprint(read(first), read(second));
    } catch (IOException e) {
      now = new byte[0];
    }
    this.seen = now;
  }

  /** What is wrong with the files' bytes (naming the file), or null if they load. */
  abstract @Nullable String problem(byte[] first, byte[] second);

  /** Hands the checked bytes over; false if they were not taken. */
  abstract boolean apply(byte[] first, byte[] second);

  /** What the previous files keep doing when new ones are refused. */
  abstract String keptInUse();

  final void start(Scheduler scheduler, Duration interval) {
    watch.start(scheduler, interval);
  }

  final void stop() {
    watch.stop();
  }

  /** Waits for a scheduled check in progress, then checks now (see {@link #check}). */
  final @Nullable String checkNow() {
    return watch.now();
  }

  /**
   * Checks the files now: {@code "reloaded: ..."} or {@code "refused: ..."} when they changed, null
   * when they did not (or the owner is closing).
   */
  final @Nullable String check() {
    checking.lock();
    try {
      byte[] a;
      byte[] b;
      try {
        a = read(first);
        b = read(second);
      } catch (IOException e) {
        return refuse(new byte[] {1}, "cannot read the TLS files: " + e);
      }
      byte[] now = fingerprint(a, b);
      if (Arrays.equals(now, seen)) {
        return null;
      }
      String problem = problem(a, b);
      if (problem != null) {
        return refuse(now, problem);
      }
      if (watch.stopped()) {
        return null; // closing
      }
      if (!apply(a, b)) {
        return refuse(now, "the new files were not taken (closing?)");
      }
      seen = now;
      String line = "reloaded: " + files();
      LOG.info("{}: TLS {}", owner, line);
      return line;
    } finally {
      checking.unlock();
    }
  }

  private String files() {
    StringBuilder b = new StringBuilder();
    for (Path p : Arrays.asList(first, second)) {
      if (p != null) {
        b.append(b.isEmpty() ? "" : ", ").append(p);
      }
    }
    return b.toString();
  }

  private String refuse(byte[] fingerprint, String problem) {
    String line = "refused: " + problem + "; " + keptInUse();
    if (!Arrays.equals(fingerprint, seen)) {
      LOG.warn("{}: TLS {}", owner, line);
    }
    seen = fingerprint; // reported once, until the files change again
    return line;
  }

  /**
   * What is wrong with a PKCS#12 key store's bytes: it must open with {@code password} and hold a
   * key whose certificate is valid now. Null if nothing is.
   */
  static @Nullable String keyStoreProblem(Path file, byte[] bytes, String password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(bytes), password.toCharArray());
      X509Certificate leaf = null;
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate c) {
          leaf = c;
          break;
        }
      }
      if (leaf == null) {
        return "key store " + file + " holds no key with a certificate";
      }
      try {
        leaf.checkValidity();
      } catch (CertificateExpiredException e) {
        return "key store "
            + file
            + ": its certificate expired at "
            + leaf.getNotAfter().toInstant();
      } catch (CertificateNotYetValidException e) {
        return "key store "
            + file
            + ": its certificate is not valid before "
            + leaf.getNotBefore().toInstant();
      }
      return null;
    } catch (IOException | GeneralSecurityException e) {
      return "key store " + file + ": " + e.getMessage();
    }
  }

  private static byte[] read(@Nullable Path file) throws IOException {
    return file == null ? new byte[0] : Files.readAllBytes(file);
  }

  private static byte[] fingerprint(byte[] a, byte[] b) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(a);
      d.update((byte) 0);
      d.update(b);
      return d.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }
}
