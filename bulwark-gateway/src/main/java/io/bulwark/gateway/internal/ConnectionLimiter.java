package io.bulwark.gateway.internal;

import io.bulwark.gateway.ListenerConfig;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-client connection limit of one listener: open connections are counted per peer IP and a
 * connection over {@code max-connections-per-client} is closed as it is accepted (Vert.x hands the
 * HTTP connection over once its first request head is decoded; that request is not served). Peers
 * in {@code trusted-proxies} are exempt. Memory: one counter per client IP with an open connection;
 * a counter is removed when its last connection closes.
 */
final class ConnectionLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final ListenerConfig listener;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final java.util.Set<HttpConnection> closing = ConcurrentHashMap.newKeySet();

  ConnectionLimiter(ListenerConfig listener) {
    this.listener = listener;
  }

  /** Connections refused so far. */
  long refused() {
    return refused.get();
  }

  /** Clients with at least one open connection. */
  int clients() {
    return open.size();
  }

  /**
   * Whether {@code req} may be served: false for a request on a connection refused here (it may
   * already be decoded when the connection is handed over), which is then dropped unanswered.
   */
  boolean admits(io.vertx.core.http.HttpServerRequest req) {
    if (closing.isEmpty() || !closing.contains(req.connection())) {
      return true;
    }
    req.connection().close();
    return false;
  }

  void onConnection(HttpConnection conn) {
    int max = listener.maxConnectionsPerClient();
    SocketAddress peer = conn.remoteAddress();
    String ip = peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
    if (max == 0 || ClientAddress.isTrusted(ip, listener.trustedProxies())) {
      return;
    }
    boolean[] admitted = {false};
    open.compute(
        ip,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= max) {
            return n;
          }
          admitted[0] = true;
          return now + 1;
        });
    if (!admitted[0]) {
      long total = refused.incrementAndGet();
      if (total == 1 || Long.bitCount(total) == 1) { // 1, 2, 4, 8...: no log flood
        LOG.warn(
            "listener {}: client {} is over max-connections-per-client {}, connection closed ({}"
                + " refused so far)",
            listener.name(),
            ip,
            max,
            total);
      }
      closing.add(conn);
      conn.closeHandler(v -> closing.remove(conn));
      conn.close();
      return;
    }
    conn.closeHandler(v -> open.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1));
  }
}
