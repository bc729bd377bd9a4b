package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Test helpers for blocking calls in virtual time: the call runs on another thread and blocks on
 * the virtual scheduler; the test thread advances virtual time. Real time only bounds the waits (a
 * safety net against a hung test), it never decides an outcome.
 */
final class Drive {
  private static final long LIMIT_NANOS = Duration.ofSeconds(20).toNanos();

  private Drive() {}

  /** The work of one thread of {@link #concurrently}, given its number (0-based). */
  @FunctionalInterface
  interface ThreadBody {
    void run(int thread) throws Exception;
  }

  /**
   * Runs {@code body} on {@code threads} platform threads released together by a barrier, and waits
   * for all of them (rethrowing the first failure); fails the test after 60 s of real time.
   */
  static void concurrently(int threads, ThreadBody body) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    // daemon threads, never waited for on failure: a stuck thread fails the test, not hangs it
    ExecutorService pool =
        Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().factory());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  body.run(thread);
                  return null;
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (Future<?> f : futures) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Spins (yielding) until {@code condition} holds; fails the test after 20 s of real time. */
  // yielding lets the thread under test run on a loaded machine; it decides no outcome
  @SuppressWarnings("ThreadPriorityCheck")
  static void until(BooleanSupplier condition) {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > LIMIT_NANOS) {
        throw new AssertionError("condition not reached within the real-time safety limit");
      }
      Thread.yield();
    }
  }

  /** Waits until at least {@code tasks} timers are pending, then returns. */
  static void untilPending(VirtualScheduler scheduler, int tasks) {
    until(() -> scheduler.pendingTasks() >= tasks);
  }

  /**
   * Advances virtual time task by task while {@code future} is not done; each advance happens only
   * once the blocked call has scheduled its next timer.
   */
  @SuppressWarnings("ThreadPriorityCheck") // as in until: yielding only lets the caller run
  static void untilDone(VirtualScheduler scheduler, Future<?> future) {
    long start = System.nanoTime();
    while (!future.isDone()) {
      if (System.nanoTime() - start > LIMIT_NANOS) {
        throw new AssertionError("call did not finish within the real-time safety limit");
      }
      if (scheduler.pendingTasks() > 0) {
        scheduler.advanceToNextTask();
      } else {
        Thread.yield();
      }
    }
    assertThat(future).isDone();
  }
}
