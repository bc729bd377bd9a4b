package io.bulwark.data.cache;

/**
 * A snapshot of a cache's counters (from striped counters; each counter is read separately so a
 * snapshot taken under load may be off by the operations in flight). Every counter is exact but
 * {@code hits}, which by default is sampled (see {@link
 * ReadThroughCache.Builder#exactHitCounts()}).
 *
 * @param hits reads answered from the cache (fresh or stale): exact with {@link
 *     ReadThroughCache.Builder#exactHitCounts()}, else one hit in 64, drawn at random, counts 64
 * @param misses reads that had to wait for a load (their own or a coalesced one)
 * @param coalesced misses (and keys of {@link ReadThroughCache#getAll}) that joined a load another
 *     read had started instead of starting their own: the loads that stampede protection saved
 * @param loads loads and refreshes started (single or bulk: a bulk load counts once)
 * @param loadFailures loads and refreshes that failed
 * @param evictions entries removed by the size or weight bound
 * @param staleServed stale values returned by {@link ReadThroughCache#lookup} plus background
 *     refreshes started by a read of a stale entry
 * @param negativeHits reads answered by a cached absence or cached failure
 * @param invalidations invalidations applied (local writes and deliveries from the log)
 * @param flushes whole-cache flushes because invalidations may have been missed
 */
public record CacheStats(
    long hits,
    long misses,
    long coalesced,
    long loads,
    long loadFailures,
    long evictions,
    long staleServed,
    long negativeHits,
    long invalidations,
    long flushes) {}
