package io.bulwark.gateway.internal;

import io.bulwark.gateway.ClusterConfig;
import io.netty.channel.EventLoop;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A cluster's {@link Http1Pool}s, one per event loop, made when a loop first sends to the cluster.
 * Thread-safe: the per-loop table is an immutable array swapped under a lock when a loop is added
 * (as many times as there are event loops); lookups read it without locking.
 */
final class Http1Pools {
  private final VertxInternal vertx;
  private final ClusterConfig config;
  private final ReentrantLock adding = new ReentrantLock();
  private volatile Http1Pool[] pools = new Http1Pool[0];
  private volatile boolean closed;

  /** Open pooled connections over all loops (connected, idle or busy). */
  final AtomicInteger connections = new AtomicInteger();

  /** Exchanges the pools have served (each took a pooled connection). */
  final LongAdder exchanges = new LongAdder();

  Http1Pools(VertxInternal vertx, ClusterConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** The pool of the event loop running {@code ctx} if the caller is on it, else null. */
  @Nullable Http1Pool current(ContextInternal ctx) {
    EventLoop loop = ctx.nettyEventLoop();
    if (!loop.inEventLoop()) {
      return null;
    }
    for (Http1Pool p : pools) {
      if (p.loop() == loop) {
        return p;
      }
    }
    return add(loop);
  }

  private @Nullable Http1Pool add(EventLoop loop) {
    adding.lock();
    try {
      if (closed) {
        return null;
      }
      Http1Pool[] now = pools;
      for (Http1Pool p : now) {
        if (p.loop() == loop) {
          return p;
        }
      }
      Http1Pool made = new Http1Pool(loop, vertx.transport(), config, this);
      Http1Pool[] next = Arrays.copyOf(now, now.length + 1);
      next[now.length] = made;
      pools = next;
      return made;
    } finally {
      adding.unlock();
    }
  }

  /** Closes every loop's pool: idle connections now, busy ones as their exchanges end. */
  void close() {
    Http1Pool[] all;
    adding.lock();
    try {
      closed = true;
      all = pools;
    } finally {
      adding.unlock();
    }
    for (Http1Pool p : all) {
      p.close();
    }
  }
}
