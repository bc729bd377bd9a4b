package io.bulwark.data.cache;

import io.bulwark.core.error.BulwarkException;

/**
 * A load failed; {@link #getCause()} is what the loader threw. Every caller coalesced onto the same
 * load gets the same cause. The failure is not cached (the next read loads again) unless its type
 * is configured for negative caching.
 */
public final class CacheLoadException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }

  /** As retriable as its cause: a Bulwark failure says so itself; any other is retriable. */
  @Override
  public boolean isRetriable() {
    return !(getCause() instanceof BulwarkException b) || b.isRetriable();
  }
}
