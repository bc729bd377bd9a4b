package io.bulwark.core.error;

import org.jspecify.annotations.Nullable;

/**
 * A failure that may go away when the operation is tried again: a timeout, a dropped connection.
 */
public class RetriableException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public RetriableException(String message) {
    this(message, null);
  }

  public RetriableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isRetriable() {
    return true;
  }
}
