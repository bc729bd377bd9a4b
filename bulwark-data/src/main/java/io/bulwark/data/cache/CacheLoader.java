package io.bulwark.data.cache;

/** Loads the value of a key from the source of truth; may block (it runs on a virtual thread). */
@FunctionalInterface
public interface CacheLoader<K, V> {
  V load(K key) throws Exception;
}
