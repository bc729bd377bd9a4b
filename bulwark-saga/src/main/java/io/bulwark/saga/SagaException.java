package io.bulwark.saga;

import io.bulwark.core.error.BulwarkException;
import org.jspecify.annotations.Nullable;

/** The root of the saga module's errors. */
public abstract class SagaException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  protected SagaException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
