package io.bulwark.http.internal;

import io.bulwark.http.HttpProblem;
import io.bulwark.http.ServerConfig;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Per-connection bookkeeping shared by the server instances of all event loops:
 *
 * <ul>
 *   <li>Connection limits: at most {@code maxConnections} connections in all and {@code
 *       maxConnectionsPerAddress} per client IP address. Vert.x reports a connection when its first
 *       request arrives; on a connection beyond a limit every request gets 503 {@code
 *       too_many_connections}, and an HTTP/1.x connection then closes (an HTTP/2 one refuses the
 *       stream only, like every HTTP/2 refusal). Connections that send nothing, or a half request,
 *       are bounded by the idle timeout.
 *   <li>The HTTP/1.x connections that close after their current answer (a refusal whose framing
 *       cannot be trusted): requests already pipelined behind it are dropped unanswered, since
 *       their bytes may be a smuggled request.
 * </ul>
 *
 * Counts are atomic; a connection's entries are removed by its close handler.
 */
final class ConnectionGuard {
  private final ServerConfig config;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final Map<HttpConnection, HttpProblem> refused = new ConcurrentHashMap<>();
  private final Set<HttpConnection> closing = ConcurrentHashMap.newKeySet();

  ConnectionGuard(ServerConfig config) {
    this.config = config;
  }

  /** A connection has started (on its event loop): count it, refuse it beyond a limit. */
  void opened(HttpConnection conn) {
    String address = addressOf(conn);
    int total = open.incrementAndGet();
    int fromAddress =
        perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
    conn.closeHandler(v -> closed(conn, address));
    HttpProblem over = null;
    if (total > config.maxConnections()) {
      over = tooMany(total + " open connections, maxConnections is " + config.maxConnections());
    } else if (fromAddress > config.maxConnectionsPerAddress()) {
      over =
          tooMany(
              fromAddress
                  + " open connections from "
                  + address
                  + ", maxConnectionsPerAddress is "
                  + config.maxConnectionsPerAddress());
    }
    if (over != null) {
      refused.put(conn, over);
    }
  }

  /** The answer to every request on {@code conn} when it is beyond a limit, else null. */
  @Nullable HttpProblem refusal(HttpConnection conn) {
    return refused.isEmpty() ? null : refused.get(conn);
  }

  /** Whether {@code conn} closes after its current answer. */
  boolean isClosing(HttpConnection conn) {
    return !closing.isEmpty() && closing.contains(conn);
  }

  void markClosing(HttpConnection conn) {
    closing.add(conn);
  }

  private void closed(HttpConnection conn, String address) {
    open.decrementAndGet();
    closing.remove(conn);
    refused.remove(conn);
    perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() == 0 ? null : n);
  }

  private static HttpProblem tooMany(String why) {
    return HttpProblem.unavailable("too_many_connections", "connection refused: " + why, 1);
  }

  private static String addressOf(HttpConnection conn) {
    SocketAddress remote = conn.remoteAddress();
    String host = remote == null ? null : remote.hostAddress();
    return host == null ? String.valueOf(remote) : host;
  }
}
