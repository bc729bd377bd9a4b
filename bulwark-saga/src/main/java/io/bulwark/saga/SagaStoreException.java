package io.bulwark.saga;

import org.jspecify.annotations.Nullable;

/**
 * The saga store cannot be reached or refused an operation; the message names the store (its URL
 * without credentials). Retriable: runs resume when the store returns.
 */
public final class SagaStoreException extends SagaException {
  private static final long serialVersionUID = 1L;

  public SagaStoreException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
