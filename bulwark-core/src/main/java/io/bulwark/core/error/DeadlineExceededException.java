package io.bulwark.core.error;

/**
 * The request's deadline passed before the work could start or finish. Not retriable: the caller
 * that set the deadline no longer waits for an answer.
 */
public final class DeadlineExceededException extends RejectedException {
  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(String message) {
    super(message);
  }

  @Override
  public boolean isRetriable() {
    return false;
  }

  @Override
  public String reason() {
    return "deadline_exceeded";
  }
}
