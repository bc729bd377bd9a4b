package io.bulwark.saga;

/** No run has this id. */
public final class UnknownRunException extends SagaException {
  private static final long serialVersionUID = 1L;
  private final String runId;

  public UnknownRunException(String runId) {
    super("unknown run id '" + runId + "'", null);
    this.runId = runId;
  }

  public String runId() {
    return runId;
  }

  @Override
  public boolean isRetriable() {
    return false;
  }
}
