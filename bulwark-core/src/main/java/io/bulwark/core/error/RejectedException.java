package io.bulwark.core.error;

/**
 * A call refused before it ran: a circuit is open, a limit is reached, the deadline has passed.
 * Rejections are on hot paths under overload, so they are stackless: creating one costs about as
 * much as any small object. Subclasses say whether the caller may try again.
 */
public abstract class RejectedException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  protected RejectedException(String message) {
    super(message, null, false);
  }

  /** A short machine-readable reason, e.g. {@code "deadline_exceeded"}, used as a metric label. */
  public abstract String reason();
}
