package io.bulwark.http.internal;

import io.bulwark.core.time.SystemScheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful shutdown and kill of one server, without a lock: the first {@link #drain()} does the
 * work; a concurrent or later one waits for its result on a future (never on a monitor), and {@link
 * #kill()} is never made to wait by a drain — it ends a drain in progress at once.
 *
 * <p>Drain: readiness goes down ({@link ServerState#startDrain}), the listening sockets stop
 * accepting, requests waiting on a chaos timer of a non-blocking route are refused at once (503
 * {@code shutting_down}, their timers cancelled: see {@link DeferredWait}), the other requests in
 * flight get up to the drain budget to finish, then the servers and what the server owns (Vert.x,
 * scheduler) close. The result is how many requests were abandoned; if a kill came during the
 * drain, how many the kill found running.
 */
final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  /** What the server created itself and closes last (null when shared with others). */
  record Owned(@Nullable Vertx vertx, @Nullable SystemScheduler scheduler) {}

  private final ServerState state;
  private final List<HttpServer> servers;
  private final Duration budget;
  private final Owned owned;
  private final AtomicBoolean begun = new AtomicBoolean();
  private final CompletableFuture<Integer> abandoned = new CompletableFuture<>();

  Shutdown(ServerState state, List<HttpServer> servers, Duration budget, Owned owned) {
    this.state = state;
    this.servers = servers;
    this.budget = budget;
    this.owned = owned;
  }

  int drain() {
    if (!begun.compareAndSet(false, true)) {
      return state.killed() && !abandoned.isDone() ? state.killedCount() : awaitFirst();
    }
    if (state.killed()) {
      abandoned.complete(state.killedCount());
      return state.killedCount();
    }
    try {
      abandoned.complete(drainNow());
    } catch (RuntimeException | Error e) {
      abandoned.completeExceptionally(e);
      throw e;
    }
    return abandoned.join();
  }

  private int awaitFirst() {
    try {
      return abandoned.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return state.inFlight();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the server's shutdown failed", e.getCause());
    }
  }

  private int drainNow() {
    state.notifyDrain(true, state.startDrain());
    state.endWaits(); // a request waiting on a chaos timer is refused now, not at the budget's end
    long millis = budget.toMillis();
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : servers) {
      closing.add(s.shutdown(millis, TimeUnit.MILLISECONDS));
    }
    try {
      state.awaitDrained(millis);
      if (!state.killed()) {
        awaitAll(closing, millis + 1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int lost = state.killed() ? state.killedCount() : state.inFlight();
    for (HttpServer s : servers) {
      s.close();
    }
    closeOwned(true);
    state.notifyDrain(false, lost);
    return lost;
  }

  /**
   * Crash: the listening sockets and every connection close at once, unanswered; handlers still
   * running are interrupted by their connection's close (see {@link Exchange#handle}); a drain in
   * progress stops waiting. Returns how many requests were running.
   */
  int kill() {
    int running = state.inFlight();
    if (!state.kill(running)) {
      return state.killedCount();
    }
    state.endWaits(); // no chaos timer fires against the killed server
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : List.copyOf(servers)) {
      closing.add(s.shutdown(0, TimeUnit.MILLISECONDS));
    }
    try {
      awaitAll(closing, 10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeOwned(false); // a crash does not wait for the event loops to stop
    return running;
  }

  private static void awaitAll(List<Future<Void>> futures, long millis)
      throws InterruptedException {
    for (Future<Void> f : futures) {
      try {
        f.toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.debug("server close did not finish cleanly", e);
      }
    }
  }

  private void closeOwned(boolean await) {
    SystemScheduler scheduler = owned.scheduler();
    if (scheduler != null) {
      scheduler.close();
    }
    Vertx vertx = owned.vertx();
    if (vertx == null) {
      return;
    }
    if (!await) {
      vertx.close();
      return;
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.debug("vertx close failed", e);
    }
  }
}
