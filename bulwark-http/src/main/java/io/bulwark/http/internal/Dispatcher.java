package io.bulwark.http.internal;

import java.util.concurrent.ThreadFactory;

/**
 * Hands a read request to its handler: inline on the event loop for a non-blocking route, else on a
 * new virtual thread, whose connection's close (after a kill) interrupts it (see {@link
 * Exchange#handle}). The exchange is the thread's task.
 */
final class Dispatcher {
  private final HandlerRunner runner;
  private final ThreadFactory handlers = Thread.ofVirtual().name("bulwark-handler").factory();

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
    handlers.newThread(ex).start();
  }
}
