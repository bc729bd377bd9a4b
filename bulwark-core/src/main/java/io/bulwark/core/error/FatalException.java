package io.bulwark.core.error;

import org.jspecify.annotations.Nullable;

/** A failure that trying again will not fix: bad input, a broken invariant, a refused request. */
public class FatalException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public FatalException(String message) {
    this(message, null);
  }

  public FatalException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isRetriable() {
    return false;
  }
}
