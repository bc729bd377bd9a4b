package io.bulwark.data.cache;

import org.jspecify.annotations.Nullable;

/**
 * What the Caffeine map holds for a key: a value, a cached absence, or a cached failure, with the
 * times (on the cache's clock) that decide freshness. Immutable.
 */
final class Entry<V> {
  final @Nullable V value;
  final @Nullable Throwable failure;

  /** When the load finished. */
  final long loadedAtNanos;

  /** How long the load took (XFetch's delta). */
  final long loadNanos;

  /** Until when the value is fresh. */
  final long freshUntilNanos;

  /** When Caffeine drops the entry. */
  final long expiresAtNanos;

  Entry(
      @Nullable V value,
      @Nullable Throwable failure,
      long loadedAtNanos,
      long loadNanos,
      long freshUntilNanos,
      long expiresAtNanos) {
    this.value = value;
    this.failure = failure;
    this.loadedAtNanos = loadedAtNanos;
    this.loadNanos = loadNanos;
    this.freshUntilNanos = freshUntilNanos;
    this.expiresAtNanos = expiresAtNanos;
  }

  /** A failure handed to the callers of one load and never stored. */
  boolean isTransientFailure() {
    return failure != null && expiresAtNanos == loadedAtNanos;
  }
}
