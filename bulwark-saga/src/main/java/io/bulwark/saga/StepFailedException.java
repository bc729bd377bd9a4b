package io.bulwark.saga;

import org.jspecify.annotations.Nullable;

/**
 * A step failed for good: an error its retry policy does not retry, its attempts exhausted, or its
 * timeout. Thrown by {@link WorkflowContext#step} into the workflow's code; if the code lets it
 * escape, the run compensates.
 */
public final class StepFailedException extends SagaException {
  private static final long serialVersionUID = 1L;
  private final String runId;
  private final String step;
  private final int attempts;

  public StepFailedException(
      String runId, String step, int attempts, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.runId = runId;
    this.step = step;
    this.attempts = attempts;
  }

  public String runId() {
    return runId;
  }

  public String step() {
    return step;
  }

  public int attempts() {
    return attempts;
  }

  @Override
  public boolean isRetriable() {
    return false;
  }
}
