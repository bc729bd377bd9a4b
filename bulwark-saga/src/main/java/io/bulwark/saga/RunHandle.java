package io.bulwark.saga;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** A started (or existing) run. */
public interface RunHandle<O> {
  String runId();

  /** False if the run id already existed and this start returned that run (idempotent start). */
  boolean created();

  /** The run's status now (read from the store). */
  RunStatus status();

  /**
   * Waits until the run is COMPLETED and returns its output.
   *
   * @throws RunFailedException if it ends COMPENSATED or is PARKED (the cause is named)
   * @throws TimeoutException if {@code timeout} passes first (the run goes on)
   */
  O await(Duration timeout) throws InterruptedException, TimeoutException;
}
