package io.bulwark.http.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.ServerListener;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the filter stages, the exchanges and shutdown share about one server: the requests in
 * flight, whether it drains or was killed, its connections and its listener. Lock-free: counters
 * are atomic and flags volatile.
 *
 * <p>In-flight counting and draining race without a lock: a request is counted first and then looks
 * at {@link #draining()}, while shutdown sets draining first and then reads the count, so shutdown
 * either sees the request or the request sees draining (and is refused).
 */
final class ServerState {
  private static final Logger LOG = LoggerFactory.getLogger(ServerState.class);

  final Clock clock;
  final ConnectionGuard connections;
  private final ServerListener listener;
  private final boolean logging;
  private final LongAdder inFlight = new LongAdder();
  private final CountDownLatch drained = new CountDownLatch(1);

  /** Non-blocking requests waiting on a chaos timer (empty unless a fault defers one). */
  private final java.util.Set<DeferredWait> waits =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** -1 until kill; then how many requests were running when it came. */
  private final AtomicInteger killed = new AtomicInteger(-1);

  private volatile boolean draining;

  /** Whether every HTTP/1.x connection is under {@link Http1Guard} (plain HTTP only). */
  volatile boolean guarded;

  ServerState(Clock clock, ConnectionGuard connections, ServerListener listener) {
    this.clock = clock;
    this.connections = connections;
    this.listener = listener;
    this.logging = !(listener instanceof NoListener);
  }

  int inFlight() {
    return (int) inFlight.sum();
  }

  /** Counts a request in; it must be counted out by {@link #requestDone()}. */
  void requestStarted() {
    inFlight.increment();
  }

  void requestDone() {
    inFlight.decrement();
    if (draining && inFlight.sum() == 0) {
      drained.countDown();
    }
  }

  boolean draining() {
    return draining;
  }

  /** Starts draining; returns the requests in flight at that moment. */
  int startDrain() {
    draining = true;
    int atStart = inFlight();
    if (atStart == 0) {
      drained.countDown();
    }
    return atStart;
  }

  /**
   * Registers a request waiting on a chaos timer; ends it at once if the server already drains.
   * Registering first and then looking at draining, while shutdown sets draining first and then
   * ends the registered waits, means every wait is ended by one or the other.
   */
  void waiting(DeferredWait w) {
    waits.add(w);
    if (w.claimed()) {
      waits.remove(w); // its timer ended it before it was registered
    } else if (draining) {
      w.endForShutdown();
      waits.remove(w);
    }
  }

  /** Forgets a wait its timer ended. */
  void waited(DeferredWait w) {
    waits.remove(w);
  }

  /** Ends every request waiting on a chaos timer (shutdown or kill), cancelling the timers. */
  void endWaits() {
    for (java.util.Iterator<DeferredWait> it = waits.iterator(); it.hasNext(); ) {
      it.next().endForShutdown();
      it.remove();
    }
  }

  /** Waits until no request is in flight (or kill), at most {@code millis}; holds no lock. */
  void awaitDrained(long millis) throws InterruptedException {
    if (!drained.await(millis, TimeUnit.MILLISECONDS)) {
      LOG.debug("drain budget of {} ms ran out with {} requests in flight", millis, inFlight());
    }
  }

  /** Marks the server killed (once); returns false if it already was. */
  boolean kill(int running) {
    if (!killed.compareAndSet(-1, running)) {
      return false;
    }
    draining = true;
    drained.countDown(); // a drain that is waiting gives up: nothing more will be answered
    return true;
  }

  /** Whether kill has come: nothing more is answered. */
  boolean killed() {
    return killed.get() >= 0;
  }

  /** The requests running when kill came, or -1. */
  int killedCount() {
    return killed.get();
  }

  /** False when nobody listens, so that no log entry is built. */
  boolean logs() {
    return logging;
  }

  void log(AccessLogEntry entry) {
    try {
      listener.onRequest(entry);
    } catch (RuntimeException e) {
      LOG.debug("server listener threw", e);
    }
  }

  void notifyDrain(boolean started, int count) {
    try {
      if (started) {
        listener.onDrainStarted(count);
      } else {
        listener.onDrainFinished(count);
      }
    } catch (RuntimeException e) {
      LOG.debug("server listener threw", e);
    }
  }

  /**
   * Marks an HTTP/1.x connection that closes after its current answer: requests already pipelined
   * behind it are dropped unanswered (their bytes may be a smuggled request).
   */
  void closing(HttpConnection connection) {
    connections.markClosing(connection);
  }

  /**
   * Whether the connection closes once this sound request is answered: only without the wire guard
   * (TLS ports, or see {@link AcceptHook#available()}), whose decoder keeps a {@code
   * content-length} sent beside {@code transfer-encoding: chunked} so that Framing refuses it;
   * without it the decoder drops the length unseen, so a chunked HTTP/1.1 connection is not trusted
   * for a next request.
   */
  boolean closesAfterAnswer(HttpServerRequest req) {
    return !guarded && Framing.closesAfterAnswer(req);
  }

  static String pathOf(HttpServerRequest req) {
    String p = req.path();
    return p == null ? "/" : p;
  }
}
