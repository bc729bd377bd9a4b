package io.bulwark.core.error;

/**
 * The request's deadline passed before the work could start or finish. Not retriable: the caller
 * that set the deadline no longer waits for an answer.
 *
 * <p>Two cases, told apart by {@link #isDuringCall()}: the deadline had already passed, so the work
 * was never started (a rejection, like the other {@link RejectedException}s), or it passed while
 * the work ran and the work was stopped ({@link #duringCall(String)}). Policies that judge a
 * dependency (a circuit breaker) record the second case as a failed call, not as a rejection.
 */
public final class DeadlineExceededException extends RejectedException {
  private static final long serialVersionUID = 1L;
  private final boolean duringCall;

  /** The deadline had passed before the work started; the dependency was not called. */
  public DeadlineExceededException(String message) {
    this(message, false);
  }

  private DeadlineExceededException(String message, boolean duringCall) {
    super(message);
    this.duringCall = duringCall;
  }

  /** The deadline passed while the work ran, and the work was stopped. */
  public static DeadlineExceededException duringCall(String message) {
    return new DeadlineExceededException(message, true);
  }

  /** True if the work had started (and was stopped), false if it was never started. */
  public boolean isDuringCall() {
    return duringCall;
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
