package io.bulwark.saga.testing;

import io.bulwark.core.config.Checks;
import io.bulwark.saga.SagaEngine;
import io.bulwark.saga.internal.Engines;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Helpers for tests that run workflows under bulwark-test's virtual scheduler: after starting runs
 * or advancing virtual time, {@link #awaitIdle} waits (in real time) until no run of the engine is
 * executing code, so the next advance of virtual time is deterministic.
 */
public final class SagaTestKit {
  private SagaTestKit() {}

  /**
   * Returns when no run is executing code and the engine has nothing left to claim: every run is
   * finished, parked or waiting on a timer or signal.
   *
   * @throws TimeoutException if that does not happen within {@code timeout} (real time)
   */
  public static void awaitIdle(SagaEngine engine, Duration timeout)
      throws InterruptedException, TimeoutException {
    Checks.positive("timeout", timeout);
    if (!Engines.awaitIdle(engine, timeout)) {
      throw new TimeoutException(
          "saga engine " + engine.executorId() + " still busy after " + timeout);
    }
  }
}
