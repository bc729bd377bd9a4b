package io.bulwark.chaos.points;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Chaos on a virtual scheduler for the injection point tests: faults last {@link #LIFE} unless
 * given, a delayed call is run on its own thread and the test waits for its timer to be pending
 * (the marker that the call is inside its delay) before moving virtual time.
 */
public final class ChaosFixture implements AutoCloseable {
  public static final Duration LIFE = Duration.ofMinutes(10);

  public final VirtualScheduler scheduler = new VirtualScheduler();
  public final Chaos chaos =
      Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build();

  public ActiveFault start(Fault fault, BlastRadius radius) {
    return chaos.start(fault, radius, LIFE);
  }

  public ActiveFault start(Fault fault, BlastRadius radius, Duration life) {
    return chaos.start(fault, radius, life);
  }

  /** Runs {@code call} on a new virtual thread. */
  public static <T> CompletableFuture<T> async(Callable<T> call) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                f.complete(call.call());
              } catch (Throwable t) {
                f.completeExceptionally(t);
              }
            });
    return f;
  }

  /**
   * Waits until {@code n} timers are pending on the scheduler (fault expiries count: one per active
   * fault); fails after 20 s of real time rather than hanging the build.
   */
  public void awaitPending(int n) {
    long limit = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (scheduler.pendingTasks() < n) {
      if (System.nanoTime() - limit > 0) {
        throw new AssertionError(
            "expected " + n + " pending timers, have " + scheduler.pendingTasks());
      }
      Thread.onSpinWait();
    }
  }

  @Override
  public void close() {
    chaos.close();
  }
}
