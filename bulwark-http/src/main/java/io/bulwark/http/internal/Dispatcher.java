package io.bulwark.http.internal;

import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Hands a read request to its handler: inline on the event loop for a non-blocking route, else on a
 * new virtual thread, whose connection's close (after a kill) interrupts it (see {@link
 * Exchange#handle}). The exchange is the thread's task.
 *
 * <p>The handler threads of the requests an event loop reads in one turn are started together, once
 * that turn's reads are done ({@link Starts}): the loop's queued tasks run right after its I/O, so
 * a burst of requests wakes an idle carrier once rather than once per request.
 */
final class Dispatcher {
  private final HandlerRunner runner;
  private final ThreadFactory handlers = Thread.ofVirtual().name("bulwark-handler").factory();
  private final ConcurrentHashMap<EventLoop, Starts> starts = new ConcurrentHashMap<>();

  Dispatcher(HandlerRunner runner) {
    this.runner = runner;
  }

  void dispatch(Exchange ex, byte[] body) {
    ex.bytesIn = body.length;
    RouteTable.Match match = java.util.Objects.requireNonNull(ex.match, "routed");
    if (match.onEventLoop()) {
      runner.run(ex, match, body);
      return;
    }
    ex.req.response().closeHandler(ex);
    ex.handOff(runner, body);
    EventLoop loop = ex.loop();
    if (!loop.inEventLoop()) {
      start(ex); // not read on its loop (not expected): nothing to batch with
      return;
    }
    Starts s = starts.get(loop);
    if (s == null) {
      s = starts.computeIfAbsent(loop, Starts::new);
    }
    s.add(ex);
  }

  /** Starts {@code ex}'s handler thread; if none can be started, the exchange fails at once. */
  private void start(Exchange ex) {
    Thread t;
    try {
      t = handlers.newThread(ex);
      t.start();
    } catch (RuntimeException | Error e) {
      runner.notStarted(ex, e);
    }
  }

  /**
   * The exchanges read during one turn of an event loop whose handler threads are still to start;
   * used on that loop's thread only.
   */
  private final class Starts implements Runnable {
    private final EventLoop loop;
    private @Nullable Exchange[] pending = new Exchange[16];
    private int size;

    Starts(EventLoop loop) {
      this.loop = loop;
    }

    void add(Exchange ex) {
      if (size == pending.length) {
        pending = Arrays.copyOf(pending, size * 2);
      }
      pending[size++] = ex;
      if (size == 1) {
        try {
          loop.execute(this); // the loop's own thread: queued, no wake-up
        } catch (RejectedExecutionException e) {
          run(); // the loop is shutting down: start now
        }
      }
    }

    /** Starts every pending handler thread, in the order their requests were read. */
    @Override
    public void run() {
      for (int i = 0; i < size; i++) {
        Exchange ex = java.util.Objects.requireNonNull(pending[i], "pending");
        pending[i] = null;
        start(ex);
      }
      size = 0;
    }
  }
}
