package io.bulwark.data.cache;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.core.time.Clock;
import io.bulwark.events.RecordMetadata;
import io.bulwark.resilience.Fallback;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntBiFunction;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * A read-through cache on Caffeine that a cluster can share safely. Built by {@link
 * #builder(CacheConfig, CacheLoader)}.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Coalescing</b>: at most one load per key runs at a time in this instance; every reader
 *       of a key being loaded waits for that load and gets its value or its failure. Loads run on
 *       virtual threads. {@link #getAll} loads the missing keys in one bulk call and joins loads
 *       already in flight; the refreshes it finds due (stale-while-revalidate, XFetch) go into that
 *       same call, skipping keys whose load or refresh runs already.
 *   <li><b>Freshness</b>: a value is fresh for {@code ttl × (1 ± ttlJitter)}; with {@code
 *       staleWhileRevalidate}, for that long after the TTL a read returns the old value at once and
 *       exactly one background refresh runs (its failure keeps the old value); past it, a read
 *       waits for a load. With {@code earlyRefreshBeta > 0} a read may start that refresh before
 *       the TTL (XFetch).
 *   <li><b>Failures</b> are never cached, except types listed in {@code negativeFor} (for {@code
 *       negativeTtl}); a loader returning null caches an absence for {@code negativeTtl} (not at
 *       all when it is zero).
 *   <li><b>Invalidation</b> (with an {@link InvalidationChannel}): {@link #invalidate} returns once
 *       the log has acknowledged the invalidation; every instance evicts the key when it is
 *       delivered, and a read that starts after that never returns the value from before the write
 *       (a load in flight during the eviction is not stored). An instance that may have missed
 *       invalidations flushes everything.
 * </ul>
 *
 * <p>Thread-safe. A hit on {@link #get} allocates nothing and writes no shared memory beyond
 * Caffeine's own: one synchronous Caffeine lookup and one thread-local random draw. One hit in 64
 * is recorded to telemetry as {@code cache.<name>.hit_sampled} and adds 64 to {@link
 * CacheStats#hits()}, an estimate unless {@link Builder#exactHitCounts()} is set. Without
 * stale-while-revalidate, XFetch and TTL jitter the map holds the value itself, else a record with
 * its times.
 */
public interface ReadThroughCache<K, V> extends AutoCloseable {

  /** A builder of a cache with {@code config} that loads through {@code loader}. */
  static <K, V> Builder<K, V> builder(CacheConfig config, CacheLoader<K, V> loader) {
    return new Builder<>(config, loader);
  }

  /** The cache's name. */
  String name();

  /**
   * The value of {@code key}: cached, or loaded (coalesced with any load of the key in flight).
   * During stale-while-revalidate the value may be stale (use {@link #lookup} to know).
   *
   * @return the value, or null if the source has none
   * @throws CacheLoadException if the load failed (or a cached failure is remembered)
   * @throws IllegalArgumentException if the key is larger than {@code maxKeySize}
   * @throws NullPointerException if {@code key} is null
   */
  @Nullable V get(K key);

  /**
   * As {@link #get}, but says whether the value is stale, and when the load fails and a last good
   * value is kept ({@code lastGoodRetention}), returns it marked stale with the failure instead of
   * throwing.
   */
  Lookup<V> lookup(K key);

  /** The cached value of {@code key} if present (fresh or stale), without loading. */
  @Nullable V getIfPresent(K key);

  /**
   * The values of {@code keys}: cached ones, then one bulk load ({@link CacheLoader#loadAll}) of
   * the missing ones, joined with loads of any of them already in flight. Keys without a value are
   * absent from the result. Cached values due for a refresh (stale, or drawn early by XFetch) are
   * returned as they are and refreshed in the same bulk call (in the background when no key is
   * missing), except keys whose load or refresh runs already; a failed refresh keeps them.
   *
   * <p>The bulk load's outcomes: a key missing from its map (or mapped to null) has no value, as a
   * loader's null; keys it returns beyond those asked are ignored; a throw fails every key of the
   * call, and a null map fails it as a {@link CacheLoadException} naming the cache; neither failure
   * is stored unless its type is configured for negative caching (never for a null map).
   *
   * @throws CacheLoadException if the bulk load of a missing key failed
   */
  Map<K, V> getAll(Collection<? extends K> keys);

  /** Stores {@code value} in this instance only (no invalidation is published). */
  void put(K key, V value);

  /**
   * Evicts {@code key} here and, with an invalidation channel, publishes its invalidation and waits
   * until the log has acknowledged it, so that a caller can order its next write after it.
   *
   * @return where the invalidation was stored in the log, or null without a channel
   * @throws io.bulwark.core.error.BulwarkException if publishing failed (the local eviction has
   *     happened; the caller should treat the write as not propagated)
   */
  @Nullable RecordMetadata invalidate(K key);

  /** Evicts every entry of this instance (not published). */
  void invalidateAllLocal();

  /**
   * A resilience {@link Fallback} for a pipeline reading {@code key} from the source: on failure it
   * returns the cached or last good value marked stale ({@link Lookup#staleOnFailure}); with none,
   * the failure propagates.
   */
  Fallback<Lookup<V>> fallback(String name, K key);

  /** The counters. */
  CacheStats stats();

  /** The approximate number of entries. */
  long estimatedSize();

  /** Stops the invalidation consumer, if any; the cache stays usable locally. */
  @Override
  void close();

  /** Builds a {@link ReadThroughCache}. */
  final class Builder<K, V> {
    final CacheConfig config;
    final CacheLoader<K, V> loader;
    Clock clock = Clock.system();
    Telemetry telemetry = Telemetry.noop();
    @Nullable ToIntBiFunction<? super K, ? super V> weigher;
    ToIntFunction<? super K> keySize = ReadThroughCache::defaultKeySize;
    @Nullable Long randomSeed;
    @Nullable InvalidationChannel<K> invalidation;
    boolean exactHitCounts;

    Builder(CacheConfig config, CacheLoader<K, V> loader) {
      this.config = Objects.requireNonNull(config, "config");
      this.loader = Objects.requireNonNull(loader, "loader");
    }

    /** The clock for TTLs, refresh and load durations (default: the system clock). */
    public Builder<K, V> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where hits, misses, loads, evictions and invalidation latency are recorded. */
    public Builder<K, V> telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** The weight of an entry, for {@link CacheConfig#maximumWeight()}; must be >= 0. */
    public Builder<K, V> weigher(ToIntBiFunction<? super K, ? super V> weigher) {
      this.weigher = Objects.requireNonNull(weigher, "weigher");
      return this;
    }

    /**
     * The size of a key, checked against {@link CacheConfig#maxKeySize()} (default: the length of a
     * {@code CharSequence} or {@code byte[]}, 0 for other keys).
     */
    public Builder<K, V> keySize(ToIntFunction<? super K> keySize) {
      this.keySize = Objects.requireNonNull(keySize, "keySize");
      return this;
    }

    /** Seeds the random numbers of TTL jitter and early refresh (for reproducible tests). */
    public Builder<K, V> randomSeed(long seed) {
      this.randomSeed = seed;
      return this;
    }

    /**
     * Counts every hit exactly in {@link #stats()} (a striped counter increment per hit, as
     * Caffeine's {@code recordStats}). By default a hit costs no shared write: one hit in 64, drawn
     * at random, adds 64, so {@link CacheStats#hits()} is an estimate (relative standard error
     * about {@code 8 / sqrt(hits)}: 2.5 % at 100,000 hits); every other counter is exact.
     */
    public Builder<K, V> exactHitCounts() {
      this.exactHitCounts = true;
      return this;
    }

    /** Shares invalidations with the other instances over the event log. */
    public Builder<K, V> invalidation(InvalidationChannel<K> channel) {
      this.invalidation = Objects.requireNonNull(channel, "invalidation");
      return this;
    }

    /**
     * The cache.
     *
     * @throws IllegalArgumentException if {@code maximumWeight} is set without a weigher or the
     *     reverse
     */
    public ReadThroughCache<K, V> build() {
      return new CaffeineReadThroughCache<>(this);
    }
  }

  /** The default key size: the length of a {@code CharSequence} or {@code byte[]}, otherwise 0. */
  static int defaultKeySize(Object key) {
    if (key instanceof CharSequence s) {
      return s.length();
    }
    if (key instanceof byte[] b) {
      return b.length;
    }
    return 0;
  }
}
