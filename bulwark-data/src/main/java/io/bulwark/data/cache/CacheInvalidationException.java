package io.bulwark.data.cache;

import io.bulwark.core.error.BulwarkException;

/**
 * Publishing an invalidation failed or was not acknowledged: the key was evicted locally but the
 * other instances may not learn of the write. Retriable (publish again).
 */
public final class CacheInvalidationException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public CacheInvalidationException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
