package io.bulwark.http;

/**
 * Observes the server (access log, metrics). Contract: methods are called on event-loop or handler
 * threads, must be fast and must never throw (a throwing listener is ignored, not retried).
 */
public interface ServerListener {

  /** A request was answered (or refused). */
  default void onRequest(AccessLogEntry entry) {}

  /** The server started draining for shutdown with {@code inFlight} requests in progress. */
  default void onDrainStarted(int inFlight) {}

  /** Draining finished; {@code abandoned} requests were still running when the budget ran out. */
  default void onDrainFinished(int abandoned) {}

  /** A listener that does nothing. */
  static ServerListener none() {
    return io.bulwark.http.internal.NoListener.INSTANCE;
  }

  /** The access log on SLF4J logger {@code io.bulwark.http.access}, at INFO. */
  static ServerListener accessLog() {
    return io.bulwark.http.internal.Slf4jAccessLog.INSTANCE;
  }
}
