package io.bulwark.http.internal;

import io.vertx.core.http.HttpConnection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP/1.x connections that close after their current answer (a refusal whose framing cannot be
 * trusted): requests already pipelined behind it are dropped unanswered, since their bytes may be a
 * smuggled request. Shared by the server instances of all event loops.
 */
final class ConnectionGuard {
  private final Set<HttpConnection> closing = ConcurrentHashMap.newKeySet();

  /** Whether {@code conn} closes after its current answer. */
  boolean isClosing(HttpConnection conn) {
    return !closing.isEmpty() && closing.contains(conn);
  }

  void markClosing(HttpConnection conn) {
    if (closing.add(conn)) {
      conn.closeHandler(v -> closing.remove(conn));
    }
  }
}
