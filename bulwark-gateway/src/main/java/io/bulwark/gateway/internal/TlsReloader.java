package io.bulwark.gateway.internal;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.TlsConfig;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the key material files of one TLS listener: every {@code reload-interval} (and on {@link
 * #check} calls) a changed file set is loaded and checked ({@link TlsMaterial}); a valid one is
 * handed to every server instance of the listener, so new handshakes use it while open connections
 * keep the certificate they were made with; an invalid one is rejected and reported once (until the
 * files change again), and the old certificate keeps serving.
 */
final class TlsReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

  private final String listener;
  private final TlsConfig tls;
  private final List<HttpServer> servers;
  private final ServerSSLOptions base;
  private final Scheduler scheduler;
  private final Function<String, @Nullable String> env;
  private final ReentrantLock checking = new ReentrantLock();
  private volatile TlsMaterial current;
  private byte[] seen;
  private volatile @Nullable String lastError;
  private @Nullable ScheduledTask task;

  TlsReloader(
      String listener,
      TlsConfig tls,
      TlsMaterial current,
      List<HttpServer> servers,
      ServerSSLOptions base,
      Scheduler scheduler,
      Function<String, @Nullable String> env) {
    this.listener = listener;
    this.tls = tls;
    this.current = current;
    this.seen = current.fingerprint;
    this.servers = List.copyOf(servers);
    this.base = base;
    this.scheduler = scheduler;
    this.env = env;
  }

  void start() {
    long every = Scheduler.saturatedNanos(tls.reloadInterval());
    task =
        scheduler.scheduleAtFixedRate(
            every,
            every,
            () -> {
              try {
                check();
              } catch (RuntimeException e) {
                LOG.error("listener {}: certificate check failed", listener, e);
              }
            });
  }

  /**
   * Checks the files now. Returns a line when something happened ({@code "listener x: certificate
   * reloaded: ..."} or {@code "listener x: certificate rejected: ..."}), null when nothing changed.
   */
  @Nullable String check() {
    checking.lock();
    try {
      byte[] now;
      try {
        now = TlsMaterial.snapshot(tls);
      } catch (IOException e) {
        return reject(null, "cannot read key material: " + e);
      }
      if (Arrays.equals(now, seen)) {
        return null;
      }
      TlsMaterial next;
      try {
        next = TlsMaterial.load(tls, env, scheduler.clock().instant());
      } catch (IllegalArgumentException e) {
        return reject(now, String.valueOf(e.getMessage()));
      }
      ServerSSLOptions options = base.copy().setKeyCertOptions(next.options);
      for (HttpServer s : servers) {
        try {
          Engine.await(s.updateSSLOptions(options, true));
        } catch (IllegalStateException e) {
          return reject(now, "the TLS engine refused the new key material: " + e.getMessage());
        }
      }
      seen = now;
      current = next;
      lastError = null;
      String line =
          "listener "
              + listener
              + ": certificate reloaded: "
              + TlsMaterial.subject(next.leaf)
              + " serial "
              + next.leaf.getSerialNumber().toString(16)
              + ", valid until "
              + next.leaf.getNotAfter().toInstant();
      LOG.info("{}", line);
      return line;
    } finally {
      checking.unlock();
    }
  }

  private String reject(byte @Nullable [] now, String why) {
    if (now != null) {
      seen = now; // reported once; the next change of the files is checked again
    }
    lastError = why;
    String line =
        "listener " + listener + ": certificate rejected, the previous one keeps serving: " + why;
    LOG.error("{}", line);
    return line;
  }

  TlsMaterial current() {
    return current;
  }

  @Nullable String lastError() {
    return lastError;
  }

  @Override
  public void close() {
    ScheduledTask t = task;
    if (t != null) {
      t.cancel();
    }
  }
}
