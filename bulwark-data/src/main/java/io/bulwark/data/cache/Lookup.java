package io.bulwark.data.cache;

import org.jspecify.annotations.Nullable;

/**
 * The result of {@link ReadThroughCache#lookup}: a value, or none, and whether it is stale.
 *
 * @param value the value, or null when the source has none
 * @param stale true when the value is past its TTL: served during stale-while-revalidate, or the
 *     last good value served because loading failed (then {@code failure} says why)
 * @param failure the load failure that made the cache serve a stale value, if any
 */
public record Lookup<V>(@Nullable V value, boolean stale, @Nullable Throwable failure) {

  private static final Lookup<?> ABSENT = new Lookup<>(null, false, null);

  /** A fresh value. */
  public static <V> Lookup<V> fresh(V value) {
    return new Lookup<>(value, false, null);
  }

  /** A value past its TTL, served while a refresh runs. */
  public static <V> Lookup<V> stale(V value) {
    return new Lookup<>(value, true, null);
  }

  /** The last good value, served because loading failed with {@code failure}. */
  public static <V> Lookup<V> staleOnFailure(V value, Throwable failure) {
    return new Lookup<>(value, true, failure);
  }

  /** The source has no value for the key. */
  @SuppressWarnings("unchecked")
  public static <V> Lookup<V> absent() {
    return (Lookup<V>) ABSENT;
  }

  /** True when there is a value. */
  public boolean isPresent() {
    return value != null;
  }

  /** The value. @throws java.util.NoSuchElementException when absent */
  public V orElseThrow() {
    V v = value;
    if (v == null) {
      throw new java.util.NoSuchElementException("no value");
    }
    return v;
  }
}
