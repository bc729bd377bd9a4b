package io.bulwark.data.cache;

/** What an invalidation consumer acts on: the cache it is bound to. Fast, never throws. */
interface InvalidationTarget<K> {

  /** The cache name; records of other caches on the same topic are ignored. */
  String cacheName();

  /** The delivery lag beyond which the cache flushes instead of evicting one key. */
  long maxLagMillis();

  /** Evicts a delivered invalidation's key; {@code latencyNanos} is publish → now. */
  void evictDelivered(K key, long latencyNanos);

  /** Flushes everything: invalidations may have been missed, for {@code reason}. */
  void flush(String reason);
}
