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
 *       maxConnectionsPerAddress} per client IP address. On a plain-HTTP port the wire guard counts
 *       a connection at accept ({@link #accepted}); one beyond a limit gets 503 {@code
 *       too_many_connections} at once, without sending a byte, and is closed. On a TLS port Vert.x
 *       reports a connection when its first request arrives ({@link #opened}); there every request
 *       on a connection beyond a limit gets 503, and an HTTP/1.x connection then closes (an HTTP/2
 *       one refuses the stream only, like every HTTP/2 refusal).
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
  private volatile boolean countedAtAccept;

  ConnectionGuard(ServerConfig config) {
    this.config = config;
  }

  /**
   * Connections on plain-HTTP ports are counted at accept ({@link #accepted}), by the wire guard;
   * from then on {@link #opened} only tracks them.
   */
  void countAtAccept() {
    countedAtAccept = true;
  }

  /** Back to counting when Vert.x reports a connection (the wire guard could not be attached). */
  void countAtFirstRequest() {
    countedAtAccept = false;
  }

  /**
   * A channel was accepted (wire guard, plain HTTP): counted until it closes. Returns the refusal
   * when it is beyond a limit, else null.
   */
  @Nullable HttpProblem accepted(String address, io.netty.channel.Channel channel) {
    HttpProblem over = count(address);
    channel.closeFuture().addListener(f -> uncount(address));
    return over;
  }

  /** A connection has started (on its event loop): count it, refuse it beyond a limit. */
  void opened(HttpConnection conn) {
    if (countedAtAccept) {
      conn.closeHandler(v -> forget(conn));
      return;
    }
    String address = addressOf(conn);
    HttpProblem over = count(address);
    conn.closeHandler(
        v -> {
          forget(conn);
          uncount(address);
        });
    if (over != null) {
      refused.put(conn, over);
    }
  }

  /** Counts one more connection from {@code address}; the refusal if it is beyond a limit. */
  private @Nullable HttpProblem count(String address) {
    int total = open.incrementAndGet();
    int fromAddress =
        perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
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
    return over;
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

  private void forget(HttpConnection conn) {
    closing.remove(conn);
    refused.remove(conn);
  }

  private void uncount(String address) {
    open.decrementAndGet();
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
