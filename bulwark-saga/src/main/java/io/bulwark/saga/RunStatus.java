package io.bulwark.saga;

/** Where a run is. */
public enum RunStatus {
  /** Started, waiting for an executor (queued). */
  PENDING,
  /** An executor is running its code. */
  RUNNING,
  /** Waiting durably: a sleep, a signal, a step's next attempt or a child run. */
  WAITING,
  /** A step failed for good (or the run was cancelled or timed out); compensations are running. */
  COMPENSATING,
  /** Ended with an output. */
  COMPLETED,
  /** Ended after compensating every completed step; the cause is kept. */
  COMPENSATED,
  /**
   * Stopped for an operator: a compensation exhausted its retries, the code no longer matches the
   * stored steps, or the definition is missing. Retry, skip or cancel it.
   */
  PARKED;

  /** True for COMPLETED and COMPENSATED. */
  public boolean isFinal() {
    return this == COMPLETED || this == COMPENSATED;
  }
}
