package io.bulwark.data.partition;

import io.bulwark.core.time.ScheduledTask;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One running rebalance: progress while it runs, a report when it ends. Thread-safe. The state is
 * guarded by a lock held only for bookkeeping; the executor is always called outside it.
 */
public final class RebalanceRun {
  /** A snapshot of a run: moves waiting (including retry waits), in flight, done, failed. */
  public record Progress(int pending, int running, int completed, int failed, long bytesMoved) {}

  private record Attempt(Move move, int number) {}

  private final Rebalancer config;
  private final MoveExecutor executor;
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<Attempt> queue = new ArrayDeque<>();
  private final List<Move> completed = new ArrayList<>();
  private final List<RebalanceReport.FailedMove> failed = new ArrayList<>();
  private final CompletableFuture<RebalanceReport> done = new CompletableFuture<>();
  private final AtomicInteger wip = new AtomicInteger();
  private final long startedNanos;
  private int running;
  private int retryWaits;
  private long bytesMoved;
  private long nextStartNanos;
  private boolean cancelled;
  private @Nullable ScheduledTask pacingTimer;

  RebalanceRun(Rebalancer config, MovePlan plan, MoveExecutor executor) {
    this.config = config;
    this.executor = executor;
    this.startedNanos = config.scheduler().clock().nanoTime();
    this.nextStartNanos = startedNanos;
    for (Move m : plan.moves()) {
      queue.add(new Attempt(m, 1));
    }
  }

  /** Completes with the report once every move completed, failed for good, or was cancelled. */
  public CompletionStage<RebalanceReport> completion() {
    return done.copy();
  }

  public Progress progress() {
    lock.lock();
    try {
      return new Progress(
          queue.size() + retryWaits, running, completed.size(), failed.size(), bytesMoved);
    } finally {
      lock.unlock();
    }
  }

  /** Starts no more moves (nor retries); moves in flight finish and are reported. */
  public void cancel() {
    lock.lock();
    try {
      cancelled = true;
      ScheduledTask t = pacingTimer;
      if (t != null) {
        t.cancel();
        pacingTimer = null;
      }
    } finally {
      lock.unlock();
    }
    finishIfDone();
  }

  /**
   * Starts what the limits allow. Re-entrant calls (a move that completes synchronously inside
   * {@code execute}, completions on other threads) only mark more work for the one thread already
   * draining, so a long plan of instant moves cannot grow the stack.
   */
  void pump() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      pumpOnce();
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void pumpOnce() {
    List<Attempt> toStart = new ArrayList<>();
    lock.lock();
    try {
      long now = config.scheduler().clock().nanoTime();
      while (!cancelled && running < config.maxConcurrentMoves() && !queue.isEmpty()) {
        if (now < nextStartNanos) {
          if (pacingTimer == null) {
            pacingTimer = config.scheduler().schedule(nextStartNanos - now, this::onPacingTimer);
          }
          break;
        }
        Attempt a = queue.poll();
        running++;
        nextStartNanos = Math.max(now, nextStartNanos) + pacingNanos(a.move().bytes());
        toStart.add(a);
      }
    } finally {
      lock.unlock();
    }
    for (Attempt a : toStart) {
      start(a);
    }
    finishIfDone();
  }

  private void onPacingTimer() {
    lock.lock();
    try {
      pacingTimer = null;
    } finally {
      lock.unlock();
    }
    pump();
  }

  private long pacingNanos(long bytes) {
    long rate = config.bytesPerSecond();
    if (rate == Long.MAX_VALUE || bytes == 0) {
      return 0;
    }
    double nanos = bytes * 1e9 / rate;
    return nanos >= Long.MAX_VALUE / 2.0 ? Long.MAX_VALUE / 2 : (long) Math.ceil(nanos);
  }

  private void start(Attempt a) {
    CompletionStage<?> stage;
    try {
      stage = executor.execute(a.move(), a.number());
      if (stage == null) {
        throw new IllegalStateException("MoveExecutor returned null for " + a.move().unit());
      }
    } catch (Exception e) {
      finished(a, e);
      return;
    }
    stage.whenComplete((ok, err) -> finished(a, err));
  }

  private void finished(Attempt a, @Nullable Throwable err) {
    boolean retry = false;
    lock.lock();
    try {
      running--;
      if (err == null) {
        completed.add(a.move());
        bytesMoved += a.move().bytes();
      } else if (a.number() < config.maxAttempts() && !cancelled) {
        retryWaits++;
        retry = true;
      } else {
        failed.add(new RebalanceReport.FailedMove(a.move(), a.number(), unwrap(err)));
      }
    } finally {
      lock.unlock();
    }
    if (retry) {
      config.scheduler().schedule(config.retryBackoff(), () -> requeue(a));
    }
    pump();
  }

  private void requeue(Attempt a) {
    lock.lock();
    try {
      retryWaits--;
      if (cancelled) {
        failed.add(
            new RebalanceReport.FailedMove(
                a.move(), a.number(), new IllegalStateException("run cancelled before retry")));
      } else {
        queue.addFirst(new Attempt(a.move(), a.number() + 1));
      }
    } finally {
      lock.unlock();
    }
    pump();
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof java.util.concurrent.CompletionException
            || cur instanceof java.util.concurrent.ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  private void finishIfDone() {
    RebalanceReport report;
    lock.lock();
    try {
      boolean idle = running == 0 && retryWaits == 0;
      if (!idle || (!queue.isEmpty() && !cancelled) || done.isDone()) {
        return;
      }
      List<Move> never = new ArrayList<>();
      for (Attempt a : queue) {
        never.add(a.move());
      }
      queue.clear();
      long now = config.scheduler().clock().nanoTime();
      report =
          new RebalanceReport(
              completed, failed, never, bytesMoved, Duration.ofNanos(now - startedNanos));
    } finally {
      lock.unlock();
    }
    done.complete(report);
  }
}
