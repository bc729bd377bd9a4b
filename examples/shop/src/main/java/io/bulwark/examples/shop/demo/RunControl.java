package io.bulwark.examples.shop.demo;

import io.bulwark.examples.shop.load.LoadGenerator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Lets another thread (Ctrl-C's shutdown hook) stop a demo and wait until it has closed the shop.
 */
public final class RunControl {
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean stopped;
  private volatile @Nullable LoadGenerator load;

  /** Stops the current run's load; the run then closes the shop without judging invariants. */
  public void stop() {
    stopped = true;
    LoadGenerator current = load;
    if (current != null) {
      current.stop();
    }
  }

  public boolean stopped() {
    return stopped;
  }

  /** Waits until the demo said it closed everything, at most {@code seconds}. */
  public boolean awaitClosed(long seconds) throws InterruptedException {
    return closed.await(seconds, TimeUnit.SECONDS);
  }

  void attach(LoadGenerator generator) {
    this.load = generator;
    if (stopped) {
      generator.stop();
    }
  }

  void detach() {
    this.load = null;
  }

  void closed() {
    closed.countDown();
  }
}
