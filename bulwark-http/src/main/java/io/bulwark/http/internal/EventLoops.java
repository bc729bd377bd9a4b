package io.bulwark.http.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * One event-loop context per event loop of a Vert.x instance, for a client to spread its exchanges
 * over. A caller thread is always given the same context ({@link #forCurrentThread}: its thread id
 * modulo the number of contexts), so the choice reads no shared mutable state and allocates
 * nothing. Immutable; thread-safe.
 *
 * <p>The contexts are built on the event loops themselves (Vert.x's {@code contextBuilder}), not
 * with {@code getOrCreateContext()}, which returns the caller's own context on a Vert.x thread and
 * the same event loop for every context it creates from one outside thread.
 */
final class EventLoops {
  private final Context[] contexts;

  private EventLoops(Context[] contexts) {
    this.contexts = contexts;
  }

  static EventLoops of(Vertx vertx) {
    List<Context> contexts = new ArrayList<>();
    if (vertx instanceof VertxInternal internal) {
      for (EventExecutor e : internal.nettyEventLoopGroup()) {
        if (e instanceof EventLoop loop) {
          contexts.add(internal.contextBuilder().withEventLoop(loop).build());
        }
      }
    }
    if (contexts.isEmpty()) {
      contexts.add(vertx.getOrCreateContext());
    }
    return new EventLoops(contexts.toArray(Context[]::new));
  }

  /** The context of the calling thread. */
  Context forCurrentThread() {
    Context[] c = contexts;
    return c.length == 1
        ? c[0]
        : c[(int) Long.remainderUnsigned(Thread.currentThread().threadId(), c.length)];
  }

  /** How many contexts (one per event loop). */
  int size() {
    return contexts.length;
  }

  /** The context at {@code index} (tests). */
  Context get(int index) {
    return contexts[index];
  }
}
