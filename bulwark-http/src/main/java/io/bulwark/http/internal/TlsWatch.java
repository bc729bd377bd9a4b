package io.bulwark.http.internal;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a TLS file check every interval, on a virtual thread of its own (reading files, parsing key
 * stores and waiting for Vert.x to swap its SSL options must not hold the scheduler's thread, which
 * runs deadlines and lease renewals), one check at a time: a tick that finds the previous check
 * still running skips. {@link #now} waits for a scheduled check in progress, then checks itself.
 */
final class TlsWatch {
  private static final Logger LOG = LoggerFactory.getLogger(TlsWatch.class);

  private final String what;
  private final Supplier<@Nullable String> check;
  private volatile CompletableFuture<@Nullable String> pending =
      CompletableFuture.completedFuture(null);
  private volatile boolean stopped;
  private @Nullable ScheduledTask task;

  TlsWatch(String what, Supplier<@Nullable String> check) {
    this.what = what;
    this.check = check;
  }

  void start(Scheduler scheduler, Duration interval) {
    long every = Scheduler.saturatedNanos(interval);
    task = scheduler.scheduleAtFixedRate(every, every, this::tick);
  }

  private void tick() {
    if (stopped || !pending.isDone()) {
      return;
    }
    CompletableFuture<@Nullable String> next = new CompletableFuture<>();
    pending = next;
    Thread.ofVirtual()
        .name("bulwark-tls-check")
        .start(
            () -> {
              try {
                next.complete(stopped ? null : check.get());
              } catch (RuntimeException e) {
                LOG.error("{}: TLS file check failed", what, e);
                next.complete(null);
              }
            });
  }

  /** Waits (bounded) for a scheduled check in progress, then checks now. */
  @Nullable String now() {
    try {
      pending.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("{}: the scheduled TLS file check did not end: {}", what, e.toString());
    }
    return check.get();
  }

  void stop() {
    stopped = true;
    ScheduledTask t = task;
    if (t != null) {
      t.cancel();
    }
  }

  boolean stopped() {
    return stopped;
  }

  /** Waits for Vert.x to apply new SSL options: true if it did. */
  static boolean applied(io.vertx.core.Future<Boolean> update) {
    try {
      update.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }
}
