package io.bulwark.data.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Loads values from the source of truth. Runs on a virtual thread of the cache (never on a Caffeine
 * or common-pool thread), so it may block.
 *
 * <p>Outcomes: a value is cached for the TTL; {@code null} means "the source has no value" (cached
 * as absent for the negative TTL when negative caching is on, otherwise not cached, and the read
 * returns {@code null} / {@link Lookup#absent()}); an exception fails every caller waiting for this
 * load with the same cause and is not cached, unless its type is listed in {@link
 * CacheConfig#negativeFor()}.
 */
@FunctionalInterface
public interface CacheLoader<K, V> {

  /** The value of {@code key}, or null if the source has none. */
  @Nullable V load(K key) throws Exception;

  /**
   * The values of {@code keys} in one bulk call (one query for many keys); a key missing from the
   * result (or mapped to null) has no value, and keys not asked for are ignored. Must not return
   * null: the cache fails the call's keys with a {@link CacheLoadException} naming the cache and
   * counts a load failure. The default loads each key with {@link #load}.
   */
  default Map<K, V> loadAll(Set<? extends K> keys) throws Exception {
    Map<K, V> result = new HashMap<>();
    for (K key : keys) {
      V value = load(key);
      if (value != null) {
        result.put(key, value);
      }
    }
    return result;
  }
}
