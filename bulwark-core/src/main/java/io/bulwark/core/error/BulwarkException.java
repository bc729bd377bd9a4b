package io.bulwark.core.error;

import org.jspecify.annotations.Nullable;

/**
 * The root of Bulwark's error taxonomy. Every Bulwark failure says whether trying the same
 * operation again may succeed ({@link #isRetriable()}); retry policies, hedging and load balancers
 * read this instead of guessing from exception types.
 *
 * @see RetriableException
 * @see FatalException
 * @see RejectedException
 */
public abstract class BulwarkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected BulwarkException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** For stackless exceptions: no stack trace is captured and none can be set. */
  protected BulwarkException(String message, @Nullable Throwable cause, boolean captureStackTrace) {
    super(message, cause, false, captureStackTrace);
  }

  /** True if the same operation may succeed when tried again (possibly elsewhere or later). */
  public abstract boolean isRetriable();
}
