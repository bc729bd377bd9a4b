package io.bulwark.gateway.internal;

import io.bulwark.core.time.Scheduler;
import io.bulwark.gateway.ListenerConfig;
import io.bulwark.gateway.TlsConfig;
import io.bulwark.http.wire.WireGuard;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge side of the engine's listeners: TLS key material (loaded before binding, then watched by
 * a {@link TlsReloader} per TLS listener) and, on plain listeners, bulwark-http's {@link WireGuard}
 * (request-head timeout from accept, strict framing).
 */
final class EdgeListeners implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeListeners.class);

  private final Scheduler scheduler;
  private final Function<String, @Nullable String> env;
  private final List<TlsReloader> reloaders = new CopyOnWriteArrayList<>();

  EdgeListeners(Scheduler scheduler, Function<String, @Nullable String> env) {
    this.scheduler = scheduler;
    this.env = env;
  }

  /** The checked key material of a TLS listener, null for a plain one. */
  @Nullable TlsMaterial material(ListenerConfig l) {
    TlsConfig tls = l.edge().tls();
    if (tls == null) {
      return null;
    }
    try {
      return TlsMaterial.load(tls, env, scheduler.clock().instant());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("listener " + l.name() + ": tls: " + e.getMessage(), e);
    }
  }

  /** The listener's servers are bound: watch its certificate, or guard its wire. */
  void started(
      ListenerConfig l,
      HttpServerOptions options,
      @Nullable TlsMaterial material,
      List<HttpServer> servers) {
    TlsConfig tls = l.edge().tls();
    if (tls != null && material != null) {
      TlsReloader r =
          new TlsReloader(
              l.name(), tls, material, servers, EdgeSetup.sslOptions(options, tls), scheduler, env);
      reloaders.add(r);
      r.start();
      return;
    }
    if (!WireGuard.available()) {
      LOG.warn(
          "listener {}: wire guard unavailable (Vert.x internals not reachable): no request-head"
              + " timeout, only idle-timeout",
          l.name());
      return;
    }
    WireGuard guard =
        WireGuard.create(
            new WireGuard.Limits( // per-client connection limit: max-connections-per-client (gsec)
                l.edge().requestHeadTimeout(),
                Integer.MAX_VALUE,
                l.maxConnectionsPerClient() == 0 ? Integer.MAX_VALUE : l.maxConnectionsPerClient()),
            options,
            scheduler);
    boolean all = true;
    for (HttpServer s : servers) {
      all &= guard.attach(s);
    }
    if (!all) {
      LOG.warn("listener {}: wire guard not attached: only idle-timeout applies", l.name());
    }
  }

  /** Checks every TLS listener's files now; one line per listener whose certificate changed. */
  List<String> reload() {
    List<String> out = new ArrayList<>();
    for (TlsReloader r : reloaders) {
      String line = r.check();
      if (line != null) {
        out.add(line);
      }
    }
    return out;
  }

  @Override
  public void close() {
    reloaders.forEach(TlsReloader::close);
  }
}
