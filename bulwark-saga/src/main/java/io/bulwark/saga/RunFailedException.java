package io.bulwark.saga;

/** A run ended COMPENSATED or is PARKED; the message names the run, its status and its cause. */
public final class RunFailedException extends SagaException {
  private static final long serialVersionUID = 1L;
  private final String runId;
  private final RunStatus status;
  private final String runCause;

  public RunFailedException(String runId, RunStatus status, String runCause) {
    super("run " + runId + " is " + status + ": " + runCause, null);
    this.runId = runId;
    this.status = status;
    this.runCause = runCause;
  }

  public String runId() {
    return runId;
  }

  public RunStatus status() {
    return status;
  }

  /** The stored cause (names the step). */
  public String runCause() {
    return runCause;
  }

  @Override
  public boolean isRetriable() {
    return false;
  }
}
