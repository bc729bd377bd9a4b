package io.bulwark.runtime.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one metrics collection at a time on a virtual thread (process-mode scrapes do HTTP, which
 * must not block the scheduler's thread); a tick that finds the previous collection still running
 * is skipped.
 */
final class MetricsCollector {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsCollector.class);
  private final AtomicReference<@Nullable Thread> running = new AtomicReference<>();
  private volatile boolean closed;

  void collect(Runnable collection) {
    if (closed) {
      return;
    }
    Thread t =
        Thread.ofVirtual()
            .name("runtime-metrics")
            .unstarted(
                () -> {
                  try {
                    collection.run();
                  } catch (RuntimeException e) {
                    LOG.warn("metrics collection failed", e);
                  } finally {
                    running.set(null);
                  }
                });
    if (running.compareAndSet(null, t)) {
      t.start();
    }
  }

  /** No collection starts after this; waits (up to 5 s) for the one running. */
  void close() {
    closed = true;
    Thread t = running.get();
    if (t != null) {
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
