package io.bulwark.chaos.resource;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A CPU burn: {@code threads} platform threads that spin on arithmetic until the burn expires (its
 * duration, on the given scheduler) or is {@link #stop() stopped}, whichever comes first. Bounded:
 * at most {@link Runtime#availableProcessors()} threads and at most {@link #MAX_DURATION}; the
 * threads are daemons, so a forgotten burn never keeps a JVM alive.
 *
 * <p>Platform threads on purpose: a virtual thread that never blocks would pin a carrier of the
 * shared pool, which starves every virtual thread rather than competing for CPU as a noisy
 * neighbour does. Thread-safe; {@link #stop()} is idempotent.
 */
public final class CpuBurn implements AutoCloseable {
  /** The longest burn. */
  public static final Duration MAX_DURATION = Duration.ofHours(1);

  private static final int CHUNK = 1 << 14;

  private final int threads;
  private final Duration duration;
  private final List<Thread> workers;
  private final CountDownLatch running;
  private final LongAdder chunks = new LongAdder();
  private final ScheduledTask expiry;
  private volatile boolean stopped;

  private CpuBurn(int threads, Duration duration, Scheduler scheduler) {
    this.threads = threads;
    this.duration = duration;
    this.running = new CountDownLatch(threads);
    this.workers = new ArrayList<>(threads);
    for (int i = 0; i < threads; i++) {
      workers.add(Thread.ofPlatform().daemon().name("chaos-cpu-burn-" + i).unstarted(this::spin));
    }
    workers.forEach(Thread::start);
    this.expiry = scheduler.schedule(duration, this::stop);
  }

  /**
   * Starts burning {@code threads} cores for {@code duration} (expiry measured on {@code
   * scheduler}).
   *
   * @throws IllegalArgumentException naming the bad value when {@code threads} is not in 1..{@link
   *     Runtime#availableProcessors()} or {@code duration} not in (0, {@link #MAX_DURATION}]
   */
  public static CpuBurn start(int threads, Duration duration, Scheduler scheduler) {
    checkThreads(threads);
    checkDuration("cpu burn", duration);
    return new CpuBurn(threads, duration, scheduler);
  }

  static void checkThreads(int threads) {
    int max = Runtime.getRuntime().availableProcessors();
    if (threads < 1 || threads > max) {
      throw new IllegalArgumentException(
          "cpu burn threads must be 1.." + max + " (the available processors), was " + threads);
    }
  }

  static void checkDuration(String what, Duration duration) {
    if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          what + " duration must be in (0, " + MAX_DURATION + "], was " + duration);
    }
  }

  private void spin() {
    long x = Thread.currentThread().threadId() | 1;
    running.countDown();
    while (!stopped) {
      for (int i = 0; i < CHUNK; i++) { // xorshift: work the JIT cannot remove (x is published)
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
      }
      chunks.add(x == 0 ? 2 : 1);
    }
  }

  public int threads() {
    return threads;
  }

  public Duration duration() {
    return duration;
  }

  /** True until expiry or {@link #stop()}. */
  public boolean active() {
    return !stopped;
  }

  /** Spin chunks done so far by all threads (grows while the burn is active). */
  public long work() {
    return chunks.sum();
  }

  /** Waits until every thread is burning; false if {@code timeout} passed first. */
  public boolean awaitBurning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Ends the burn (the threads leave their loop within one chunk); idempotent. */
  public void stop() {
    stopped = true;
    expiry.cancel();
  }

  /** Waits for every burn thread to end (up to {@code timeout} each); false if one did not. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    for (Thread t : workers) {
      if (!t.join(timeout)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "cpu burn of " + threads + " threads for " + duration + (stopped ? " (ended)" : "");
  }
}
