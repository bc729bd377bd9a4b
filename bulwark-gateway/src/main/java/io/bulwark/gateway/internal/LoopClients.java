package io.bulwark.gateway.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A cluster's upstream connection pools, one per event loop: a request made on event loop L uses a
 * client whose connections all live on L, so the exchange never crosses threads (one Vert.x client
 * shared by several event loops hands a request the most recently used idle connection whatever
 * loop it is on, and every read and write of that exchange then hops between the two loops). Each
 * pool has the cluster's full size, like NGINX's per-worker {@code keepalive}. A caller that is not
 * on an event loop (none on the data path) uses one shared client.
 *
 * <p>Thread-safe: the per-loop table is an immutable array swapped under a lock when a loop makes
 * its first request (as many times as there are event loops); lookups read it without locking.
 */
final class LoopClients {
  private record Entry(Thread loop, HttpClientAgent client) {}

  private final Vertx vertx;
  private final HttpClientOptions options;
  private final PoolOptions pool;
  private final HttpClientAgent shared;
  private final ReentrantLock adding = new ReentrantLock();
  private volatile Entry[] loops = new Entry[0];
  private volatile boolean closed;

  LoopClients(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
    this.vertx = vertx;
    this.options = options;
    this.pool = pool;
    this.shared = vertx.createHttpClient(options, pool);
  }

  /** Starts a request on the calling event loop's own pool. */
  Future<HttpClientRequest> request(RequestOptions o) {
    return client().request(o);
  }

  private HttpClientAgent client() {
    if (!io.vertx.core.Context.isOnEventLoopThread()) {
      return shared;
    }
    Thread me = Thread.currentThread();
    for (Entry e : loops) {
      if (e.loop() == me) {
        return e.client();
      }
    }
    return add(me);
  }

  private HttpClientAgent add(Thread me) {
    adding.lock();
    try {
      if (closed) {
        return shared; // shut down: the request fails as it would on the closed client
      }
      Entry[] now = loops;
      for (Entry e : now) {
        if (e.loop() == me) {
          return e.client();
        }
      }
      Entry[] next = java.util.Arrays.copyOf(now, now.length + 1);
      next[now.length] = new Entry(me, vertx.createHttpClient(options, pool));
      loops = next;
      return next[now.length].client();
    } finally {
      adding.unlock();
    }
  }

  /** Shuts every pool down; in-flight exchanges get up to {@code timeout} to finish. */
  void shutdown(long timeout, TimeUnit unit) {
    List<HttpClientAgent> all = new ArrayList<>();
    adding.lock();
    try {
      closed = true;
      for (Entry e : loops) {
        all.add(e.client());
      }
    } finally {
      adding.unlock();
    }
    all.add(shared);
    for (HttpClientAgent c : all) {
      c.shutdown(timeout, unit);
    }
  }
}
