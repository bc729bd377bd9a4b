/**
 * Bulwark's data partitioning and caching: one {@code Partitioner} SPI with published guarantees
 * per algorithm (ring with virtual nodes, jump hash, rendezvous, Maglev, bounded load), range
 * sharding, rebalance plans and a shard router over bulwark-http; a cache on Caffeine with request
 * coalescing, stale-while-revalidate and invalidation over the event log. See docs/data.md.
 */
@SuppressWarnings("requires-automatic")
module io.bulwark.data {
  requires transitive io.bulwark.core;
  requires transitive io.bulwark.resilience;
  requires transitive io.bulwark.events;
  requires transitive io.bulwark.http;
  requires static transitive org.jspecify;
  requires com.github.benmanes.caffeine;

  exports io.bulwark.data.partition;
  exports io.bulwark.data.cache;
  exports io.bulwark.data.router;
}
