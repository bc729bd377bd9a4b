package io.bulwark.data.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.bulwark.core.telemetry.Decisions;
import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.time.Clock;
import io.bulwark.events.RecordMetadata;
import io.bulwark.resilience.Fallback;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntBiFunction;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * {@link ReadThroughCache} on a synchronous Caffeine {@link Cache} of finished values (plain values
 * or {@link Entry} records) beside a map of the loads in flight.
 *
 * <p>Design notes. Caffeine holds only what a read may return at once; a load in flight lives in
 * {@link #inflight}, one {@link Load} per key, so every reader of a key being loaded joins the same
 * load (coalescing); loads run on virtual threads (the executor starts one per task), so a blocking
 * loader never holds a Caffeine or common-pool thread. A load stores its result and leaves {@link
 * #inflight} in one step under the key's lock in that map, and only if it is still the key's load
 * there: invalidation and {@code put} remove it under the same lock, so a load that an invalidation
 * overtook is handed to its waiters but never stored, and a reader that finds no load there finds
 * the stored value instead (no second load). A load's waiters wake only after the store, so what
 * they read next never depends on thread timing. A failure that is not cached, and an absence
 * without a negative TTL, are handed to the load's waiters and never stored: the next read loads
 * again. Stale-while-revalidate keeps a value in Caffeine for {@code ttl + staleWhileRevalidate}; a
 * read of it after {@code ttl} returns it at once and starts one refresh (a {@link Load} of the
 * same key, so one per key in flight); a failed refresh keeps the old value until its hard expiry.
 * A refresh is claimed only while the value it replaces is still stored (checked under the key's
 * lock), so a read that saw the old value just before a refresh stored the new one starts none.
 * {@link #getAll} claims the refreshes it finds due and runs them in the one bulk load it makes for
 * its missing keys (alone, in the background, when none is missing). Every entry's life is the same
 * unless a TTL jitter or a negative TTL is configured, so the cache then uses Caffeine's fixed
 * {@code expireAfterWrite}, whose read costs about half a variable {@link Expiry}'s (which
 * reschedules the entry on every read); with jitter or a negative TTL each entry carries its own
 * expiry. A value is stored as itself when nothing reads its times (no stale-while-revalidate,
 * XFetch or jitter), else in an entry; absences and failures are always entries. The hit path of
 * {@link #get} is a small method that inlines: Caffeine's synchronous lookup (the same one a raw
 * Caffeine cache makes, with no future to unwrap) and, for a plain value, a thread-local random
 * draw; one hit in {@value #HIT_SAMPLE} goes out of line to telemetry (and to the hit counter,
 * which counts every hit only with exact hit counts). It allocates nothing and reads no clock of
 * its own (Caffeine reads its ticker for expiry). An entry's hit takes the next method;
 * stale-while-revalidate and XFetch add a clock read per hit.
 */
final class CaffeineReadThroughCache<K, V> implements ReadThroughCache<K, V> {
  private static final int KEY_IN_MESSAGE = 64;

  /** One hit in this many (a power of two) is recorded to telemetry (and counted, if sampled). */
  static final int HIT_SAMPLE = 64;

  private final String name;
  private final CacheConfig config;
  private final CacheLoader<K, V> loader;
  private final Clock clock;
  // a key maps to the plain value or an Entry (see plainValues); only finished results
  private final Cache<K, Object> values;
  // the load in flight per key; see the class notes for how it meets values
  private final ConcurrentHashMap<K, Load> inflight = new ConcurrentHashMap<>();
  private final @Nullable Cache<K, V> lastGood;
  private final ToIntFunction<? super K> keySize;
  private final int maxKeySize;
  private final long ttlNanos;
  private final long swrNanos;
  private final long negativeNanos;
  private final double jitter;
  private final double beta;
  private final @Nullable Random seeded;
  private final @Nullable InvalidationChannel<K> channel;
  private final Executor loadExecutor;

  /** Whether entries carry their own expiry (jitter or negative TTL), else a fixed one. */
  private final boolean variableExpiry;

  /**
   * Whether a loaded or put value is stored as itself rather than in an {@link Entry}: when no
   * per-value metadata is read (no stale-while-revalidate, no XFetch, no TTL jitter). Absences and
   * failures are always entries.
   */
  private final boolean plainValues;

  /** Whether every hit increments {@link #hits}; else one hit in {@value #HIT_SAMPLE} adds that. */
  private final boolean exactHits;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder coalesced = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder negativeHits = new LongAdder();
  private final LongAdder invalidations = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder earlyRefreshes = new LongAdder();

  private final String component;
  private final RedRecorder loadRed;
  private final RedRecorder missRed;
  private final RedRecorder hitSampleRed;
  private final RedRecorder invalidationRed;
  private final RedRecorder sizeEvictionRed;
  private final RedRecorder expiryEvictionRed;
  private final Decisions decisions;

  CaffeineReadThroughCache(ReadThroughCache.Builder<K, V> b) {
    this.config = b.config;
    this.name = config.name();
    this.loader = b.loader;
    this.clock = b.clock;
    this.keySize = b.keySize;
    this.maxKeySize = config.maxKeySize();
    this.ttlNanos = saturatedNanos(config.ttl());
    this.swrNanos = saturatedNanos(config.staleWhileRevalidate());
    this.negativeNanos = saturatedNanos(config.negativeTtl());
    this.jitter = config.ttlJitter();
    this.beta = config.earlyRefreshBeta();
    Long seed = b.randomSeed;
    this.seeded = seed == null ? null : new Random(seed);
    this.channel = b.invalidation;
    this.exactHits = b.exactHitCounts;
    this.plainValues = swrNanos == 0 && beta == 0 && jitter == 0;
    this.component = "cache." + name;
    this.loadRed = b.telemetry.dependency(component + ".load");
    this.missRed = b.telemetry.endpoint(component + ".miss");
    this.hitSampleRed = b.telemetry.endpoint(component + ".hit_sampled");
    this.invalidationRed = b.telemetry.dependency(component + ".invalidation");
    this.sizeEvictionRed = b.telemetry.endpoint(component + ".eviction.size");
    this.expiryEvictionRed = b.telemetry.endpoint(component + ".eviction.expired");
    this.decisions = b.telemetry.decisions();

    ToIntBiFunction<? super K, ? super V> weigher = b.weigher;
    if (weigher != null && config.maximumWeight() == 0) {
      throw new IllegalArgumentException(
          "cache " + name + ": a weigher needs maximumWeight > 0 (maximumWeight is 0)");
    }
    if (weigher == null && config.maximumWeight() > 0) {
      throw new IllegalArgumentException(
          "cache " + name + ": maximumWeight " + config.maximumWeight() + " needs a weigher");
    }
    ThreadFactory threads = Thread.ofVirtual().name("cache-" + name + "-", 0).factory();
    this.loadExecutor = task -> threads.newThread(task).start();

    // Caffeine's own executor runs only its short maintenance (as for a raw Caffeine cache);
    // loads and refreshes run on loadExecutor's virtual threads
    Ticker ticker = ticker(clock);
    Caffeine<Object, Object> caffeine = Caffeine.newBuilder().ticker(ticker);
    if (weigher != null) {
      caffeine.maximumWeight(config.maximumWeight());
    } else {
      caffeine.maximumSize(config.maximumSize());
    }
    this.variableExpiry = jitter > 0 || negativeNanos > 0;
    if (variableExpiry) {
      caffeine.expireAfter(new EntryExpiry<K>(ttlNanos));
    } else {
      caffeine.expireAfterWrite(Duration.ofNanos(saturatedAdd(ttlNanos, swrNanos)));
    }
    // runs in Caffeine's maintenance (after writes, or every so many reads), never on a hit itself
    Caffeine<K, Object> typed =
        caffeine.<K, Object>evictionListener((k, e, cause) -> evicted(cause));
    if (weigher != null) {
      typed = typed.weigher((k, e) -> weigh(weigher, k, e));
    }
    this.values = typed.build();

    if (config.lastGoodRetention().isZero()) {
      this.lastGood = null;
    } else {
      Caffeine<Object, Object> lg =
          Caffeine.newBuilder().ticker(ticker).expireAfterWrite(config.lastGoodRetention());
      if (weigher != null) {
        this.lastGood =
            lg.maximumWeight(config.maximumWeight())
                .<K, V>weigher((k, v) -> checkedWeight(weigher, k, v))
                .build();
      } else {
        this.lastGood = lg.maximumSize(config.maximumSize()).<K, V>build();
      }
    }
    if (channel != null) {
      channel.engine().start(new Target());
    }
  }

  /** Counts an entry Caffeine evicted: for its size or weight bound, or because it expired. */
  private void evicted(RemovalCause cause) {
    if (cause == RemovalCause.SIZE) {
      evictions.increment();
      sizeEvictionRed.success(0);
    } else if (cause == RemovalCause.EXPIRED) {
      expiryEvictionRed.success(0);
    }
  }

  /** Caffeine's own system ticker for the system clock (one call less per hit), else the clock. */
  private static Ticker ticker(Clock clock) {
    return clock == Clock.system() ? Ticker.systemTicker() : clock::nanoTime;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Whether Caffeine has applied the expiry of {@code key}'s completed load: always, since a load
   * stores its result (and Caffeine sets its expiry) before its readers wake. Kept for tests on
   * virtual time, which must not move the clock before that.
   */
  boolean expirySettled(K key) {
    Objects.requireNonNull(key, "key");
    return true;
  }

  /**
   * The hit path, kept small so that it inlines: Caffeine's lookup and, for a plain value, a
   * sampled hit count. Everything else (an entry, a miss, a failure, XFetch) goes to {@link
   * #getSlow}.
   */
  @Override
  public @Nullable V get(K key) {
    Object o = values.getIfPresent(Objects.requireNonNull(key, "key"));
    if (o != null && !(o instanceof Entry)) {
      recordHit();
      return plain(o);
    }
    return getSlow(key, o);
  }

  /** A stored value that is not an {@link Entry}: the value itself. */
  @SuppressWarnings("unchecked")
  private V plain(Object o) {
    return (V) o;
  }

  /** An entry's value (null for an absence or a failure). */
  @SuppressWarnings("unchecked")
  private @Nullable V entryValue(Entry<?> e) {
    return (V) e.value;
  }

  /** The value of what the map holds: a plain value, an entry's value, or null. */
  private @Nullable V valueOf(@Nullable Object o) {
    if (o instanceof Entry<?> e) {
      return entryValue(e);
    }
    return o == null ? null : plain(o);
  }

  /** Counts a hit: exactly, or one in {@value #HIT_SAMPLE} as that many; samples telemetry. */
  private void recordHit() {
    if (exactHits) {
      hits.increment();
    }
    if ((ThreadLocalRandom.current().nextInt() & (HIT_SAMPLE - 1)) == 0) {
      sampledHit();
    }
  }

  private void sampledHit() {
    if (!exactHits) {
      hits.add(HIT_SAMPLE);
    }
    hitSampleRed.success(0);
  }

  private @Nullable V getSlow(K key, @Nullable Object present) {
    Object o;
    if (present != null) {
      o = hit(key, present);
    } else {
      o = resolve(key);
    }
    if (o instanceof Entry<?> e) {
      if (e.value == null && e.failure != null) {
        throw cachedFailure(key, e);
      }
      if (e.value != null && swrNanos > 0 && isStale(e)) {
        staleServed.increment();
      }
      return entryValue(e);
    }
    return o == null ? null : plain(o);
  }

  /**
   * What {@code key} maps to (a plain value or an entry), loading it if needed; null if the source
   * has no value.
   */
  private @Nullable Object resolve(K key) {
    checkKey(key);
    Object o = values.getIfPresent(key);
    if (o != null) {
      return hit(key, o);
    }
    misses.increment();
    long start = clock.nanoTime();
    try {
      Object e = loadOrJoin(key);
      missRed.success(clock.nanoTime() - start);
      return e;
    } catch (RuntimeException failed) {
      missRed.failure(clock.nanoTime() - start);
      throw failed;
    }
  }

  /**
   * Counts a read that found {@code o} stored for {@code key} and starts what it calls for: the
   * refresh of a stale value (stale-while-revalidate), an early refresh (XFetch).
   */
  private Object hit(K key, Object o) {
    if (!(o instanceof Entry<?> e)) {
      recordHit();
      return o;
    }
    if (e.value == null) {
      if (!e.isTransientFailure()) {
        negativeHits.increment();
      }
      return o;
    }
    recordHit();
    refreshIfDue(key, e);
    return o;
  }

  /** Starts the refresh that {@code e}'s age calls for, if any. */
  private void refreshIfDue(K key, Entry<?> e) {
    if (refreshDue(e)) {
      refresh(key, e);
    }
  }

  /**
   * Whether a read of {@code e} calls for its refresh: it is stale (stale-while-revalidate), or
   * XFetch draws an early refresh (counted as one).
   */
  private boolean refreshDue(Entry<?> e) {
    if (swrNanos > 0 && isStale(e)) {
      return true;
    }
    if (beta > 0) {
      long now = clock.nanoTime();
      double rand =
          1.0 - (seeded != null ? seeded.nextDouble() : ThreadLocalRandom.current().nextDouble());
      if (now - e.loadNanos * beta * Math.log(rand) >= e.freshUntilNanos) {
        earlyRefreshes.increment();
        return true;
      }
    }
    return false;
  }

  private boolean isStale(Entry<?> e) {
    return clock.nanoTime() - e.freshUntilNanos >= 0;
  }

  /**
   * Joins the load of {@code key} in flight or starts one; its result (a plain value, an entry, or
   * null for an absence that is not cached).
   */
  private @Nullable Object loadOrJoin(K key) {
    while (true) {
      Load created = null;
      Load load = inflight.get(key);
      if (load == null) {
        Load candidate = new Load(key, null);
        // under the key's lock a load that has left inflight has stored its result, if any
        load =
            inflight.computeIfAbsent(key, k -> values.getIfPresent(k) != null ? null : candidate);
        if (load == candidate) {
          created = candidate;
        }
      }
      if (load == null) {
        Object o = values.getIfPresent(key);
        if (o != null) {
          return o; // stored while this read asked: its own miss all the same
        }
        continue; // expired in between: ask again
      }
      if (created != null) {
        created.start();
      } else {
        coalesced.increment(); // holds the load: it gets that load's outcome, whatever follows
      }
      return join(key, load);
    }
  }

  /** Starts one refresh of {@code key}, whose stored value is {@code old}, unless one runs. */
  private void refresh(K key, Object old) {
    Load claimed = claimRefresh(key, old);
    if (claimed != null) {
      claimed.start();
    }
  }

  /**
   * The refresh of {@code key} (stored value {@code old}), registered as the key's load in flight
   * but not started; null if a load or refresh of the key runs already, or if {@code old} is no
   * longer stored (a refresh finished since it was read: checked under the key's lock, where a load
   * stores its result).
   */
  private @Nullable Load claimRefresh(K key, Object old) {
    if (inflight.containsKey(key)) {
      return null;
    }
    Load candidate = new Load(key, old);
    Load claimed =
        inflight.computeIfAbsent(key, k -> values.getIfPresent(k) == old ? candidate : null);
    return claimed == candidate ? candidate : null;
  }

  private @Nullable Object join(K key, Load load) {
    try {
      return load.join();
    } catch (CompletionException | java.util.concurrent.CancellationException failed) {
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      throw new CacheLoadException(
          "cache " + name + ": loading key " + describe(key) + " failed: " + cause, cause);
    }
  }

  private RuntimeException cachedFailure(K key, Entry<?> e) {
    Throwable failure = e.failure;
    if (failure == null) {
      throw new IllegalStateException("not a cached failure");
    }
    if (e.isTransientFailure()) {
      return new CacheLoadException(
          "cache " + name + ": loading key " + describe(key) + " failed: " + failure, failure);
    }
    return new CacheLoadException(
        "cache "
            + name
            + ": key "
            + describe(key)
            + " failed recently and the failure is cached (negativeTtl "
            + config.negativeTtl()
            + "): "
            + failure,
        failure);
  }

  @Override
  public Lookup<V> lookup(K key) {
    Objects.requireNonNull(key, "key");
    Object o;
    try {
      o = resolve(key);
    } catch (CacheLoadException failed) {
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      V last = lastGoodValue(key);
      if (last != null) {
        staleServed.increment();
        return Lookup.staleOnFailure(last, cause);
      }
      throw failed;
    }
    if (o == null) {
      return Lookup.absent();
    }
    if (!(o instanceof Entry<?> e)) {
      // a plain value has no stale window: it is fresh until Caffeine drops it
      return Lookup.fresh(plain(o));
    }
    V v = entryValue(e);
    if (v == null) {
      Throwable cause = e.failure;
      if (cause == null) {
        return Lookup.absent();
      }
      V last = lastGoodValue(key);
      if (last != null) {
        staleServed.increment();
        return Lookup.staleOnFailure(last, cause);
      }
      throw cachedFailure(key, e);
    }
    if (isStale(e)) {
      staleServed.increment();
      return Lookup.stale(v);
    }
    return Lookup.fresh(v);
  }

  private @Nullable V lastGoodValue(K key) {
    V v = valueOf(values.getIfPresent(key));
    if (v != null) {
      return v;
    }
    Cache<K, V> lg = lastGood;
    return lg == null ? null : lg.getIfPresent(key);
  }

  @Override
  public @Nullable V getIfPresent(K key) {
    Object o = values.getIfPresent(Objects.requireNonNull(key, "key"));
    if (o == null) {
      return null;
    }
    if (!(o instanceof Entry<?> e)) {
      recordHit();
      return plain(o);
    }
    V v = entryValue(e);
    if (v != null) {
      recordHit();
      refreshIfDue(key, e);
      if (swrNanos > 0 && isStale(e)) {
        staleServed.increment();
      }
    }
    return v;
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    Set<K> wanted = new LinkedHashSet<>();
    for (K key : keys) {
      checkKey(Objects.requireNonNull(key, "getAll: a key is null"));
      wanted.add(key);
    }
    Map<K, V> result = new LinkedHashMap<>();
    if (wanted.isEmpty()) {
      return result;
    }
    // what each key maps to: found stored, or the load (own or joined) that will tell
    Map<K, Object> found = new LinkedHashMap<>();
    Map<K, Load> loading = new LinkedHashMap<>();
    // the loads this call starts, all in one loadAll: missing keys (waited for) and the refreshes
    // of stored values that are due (not waited for: their stored values are returned)
    Map<K, Load> mine = new LinkedHashMap<>();
    for (K key : wanted) {
      while (true) {
        Object o = values.getIfPresent(key);
        if (o != null) {
          if (o instanceof Entry<?> e && e.value != null && refreshDue(e)) {
            Load refresh = claimRefresh(key, o); // null: a refresh of the key runs already
            if (refresh != null) {
              mine.put(key, refresh);
            }
          }
          found.put(key, o);
          break;
        }
        Load candidate = new Load(key, null);
        Load load =
            inflight.computeIfAbsent(key, k -> values.getIfPresent(k) != null ? null : candidate);
        if (load == null) {
          continue; // stored meanwhile
        }
        if (load == candidate) {
          mine.put(key, candidate);
        } else {
          coalesced.increment();
        }
        loading.put(key, load);
        break;
      }
    }
    if (!mine.isEmpty()) {
      loadExecutor.execute(() -> loadAllInto(mine));
    }
    for (Map.Entry<K, Load> me : loading.entrySet()) {
      try {
        found.put(me.getKey(), me.getValue().join());
      } catch (CompletionException | java.util.concurrent.CancellationException failed) {
        Throwable cause = failed.getCause() == null ? failed : failed.getCause();
        throw new CacheLoadException(
            "cache " + name + ": bulk load of " + wanted.size() + " keys failed: " + cause, cause);
      }
    }
    RuntimeException failure = null;
    for (K key : wanted) {
      Object o = found.get(key);
      if (o == null) {
        continue;
      }
      if (!(o instanceof Entry<?> e)) {
        result.put(key, plain(o));
        continue;
      }
      V v = entryValue(e);
      if (v != null) {
        if (swrNanos > 0 && isStale(e)) {
          staleServed.increment();
        }
        result.put(key, v);
      } else if (e.failure != null && failure == null) {
        failure = cachedFailure(key, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return result;
  }

  @Override
  public void put(K key, V value) {
    checkKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(value, "value");
    Object stored = stored(value, clock.nanoTime(), 0);
    // under the key's lock: a load in flight is dropped, so it cannot overwrite this value
    inflight.compute(
        key,
        (k, load) -> {
          values.put(k, stored);
          return null;
        });
    rememberLastGood(key, value);
  }

  @Override
  public @Nullable RecordMetadata invalidate(K key) {
    Objects.requireNonNull(key, "key");
    evictLocal(key);
    invalidations.increment();
    InvalidationChannel<K> ch = channel;
    return ch == null ? null : ch.engine().publish(name, key);
  }

  /** Drops {@code key}'s value and its load in flight (which then stores nothing). */
  private void evictLocal(K key) {
    inflight.compute(
        key,
        (k, load) -> {
          values.invalidate(k);
          return null;
        });
  }

  @Override
  public void invalidateAllLocal() {
    evictAllLocal();
  }

  /** Drops every load in flight first, so none can store after the values are gone. */
  private void evictAllLocal() {
    inflight.clear();
    values.invalidateAll();
  }

  @Override
  public Fallback<Lookup<V>> fallback(String fallbackName, K key) {
    Objects.requireNonNull(key, "key");
    return Fallback.from(
        fallbackName,
        failure -> {
          V last = lastGoodValue(key);
          if (last != null) {
            staleServed.increment();
            return Lookup.staleOnFailure(last, failure);
          }
          if (failure instanceof RuntimeException re) {
            throw re;
          }
          if (failure instanceof Error err) {
            throw err;
          }
          throw new CacheLoadException(
              "cache " + name + ": no cached value of key " + describe(key) + " to fall back on",
              failure);
        });
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(
        hits.sum(),
        misses.sum(),
        coalesced.sum(),
        loads.sum(),
        loadFailures.sum(),
        evictions.sum(),
        staleServed.sum(),
        negativeHits.sum(),
        invalidations.sum(),
        flushes.sum());
  }

  @Override
  public long estimatedSize() {
    return values.estimatedSize();
  }

  @Override
  public void close() {
    InvalidationChannel<K> ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  /** Runs Caffeine's pending maintenance (evictions) now; for tests. */
  void cleanUp() {
    values.cleanUp();
  }

  /** How many reads started an XFetch early refresh; for tests. */
  long earlyRefreshes() {
    return earlyRefreshes.sum();
  }

  @Override
  public String toString() {
    return "ReadThroughCache[" + name + "]";
  }

  // ---- loading

  /**
   * Loads {@code key}: a plain value or an entry (see {@link #plainValues}), or null for an absence
   * that is not cached.
   */
  private @Nullable Object loadOne(K key) {
    loads.increment();
    long start = clock.nanoTime();
    V value;
    try {
      value = loader.load(key);
    } catch (Exception e) {
      return failed(e, start);
    }
    long end = clock.nanoTime();
    loadRed.success(end - start);
    if (value == null) {
      return negativeNanos > 0 ? new Entry<>(null, null, end, 0, end, end + negativeNanos) : null;
    }
    rememberLastGood(key, value);
    return stored(value, end, end - start);
  }

  private Entry<V> failed(Exception e, long start) {
    long end = clock.nanoTime();
    loadFailures.increment();
    loadRed.record(Outcome.of(e), end - start);
    if (negativeNanos > 0 && isNegative(e)) {
      decisions.record(component, "failure_cached", e.getClass().getSimpleName());
      return new Entry<>(null, e, end, 0, end, end + negativeNanos);
    }
    // handed to the load's waiters, never stored: the next read loads again
    return new Entry<>(null, e, end, 0, end, end);
  }

  /** Loads {@code mine}'s keys in one bulk call and settles each key's load. */
  private void loadAllInto(Map<K, Load> mine) {
    Map<K, Object> loaded;
    try {
      loaded = loadMany(mine.keySet());
    } catch (Throwable e) {
      // an Error (loads turn exceptions into entries) fails these loads' readers only
      for (Load load : mine.values()) {
        load.fail(e);
      }
      return;
    }
    for (Map.Entry<K, Load> me : mine.entrySet()) {
      me.getValue().finish(loaded.get(me.getKey()));
    }
  }

  private Map<K, Object> loadMany(Set<? extends K> keys) {
    loads.increment();
    long start = clock.nanoTime();
    Map<K, V> loadedValues;
    try {
      loadedValues = loader.loadAll(keys);
    } catch (Exception e) {
      return failedAll(keys, e, start, negativeNanos > 0 && isNegative(e));
    }
    if (loadedValues == null) { // a loader breaking its contract: a failure, never a result
      return failedAll(
          keys,
          new IllegalStateException(
              "cache "
                  + name
                  + ": loadAll of "
                  + keys.size()
                  + " keys returned null instead of a map (loader "
                  + loader.getClass().getName()
                  + ")"),
          start,
          false);
    }
    long end = clock.nanoTime();
    loadRed.success(end - start);
    Map<K, Object> result = new HashMap<>();
    for (K k : keys) {
      V v = loadedValues.get(k);
      if (v != null) {
        rememberLastGood(k, v);
        result.put(k, stored(v, end, end - start));
      } else if (negativeNanos > 0) {
        result.put(k, new Entry<>(null, null, end, 0, end, end + negativeNanos));
      }
    }
    return result;
  }

  /**
   * A failed bulk load: each key gets the failure, cached for the negative TTL if {@code cached},
   * else handed to the waiters only.
   */
  private Map<K, Object> failedAll(Set<? extends K> keys, Exception e, long start, boolean cached) {
    long end = clock.nanoTime();
    loadFailures.increment();
    loadRed.record(Outcome.of(e), end - start);
    if (cached) {
      decisions.record(component, "failure_cached", e.getClass().getSimpleName());
    }
    long expires = cached ? end + negativeNanos : end;
    Map<K, Object> result = new HashMap<>();
    for (K k : keys) {
      result.put(k, new Entry<>(null, e, end, 0, end, expires));
    }
    return result;
  }

  /** What the map holds for a loaded or put value: the value itself, or an entry with its times. */
  private Object stored(V value, long now, long loadNanos) {
    if (plainValues) {
      return value;
    }
    long life = ttlNanos;
    if (jitter > 0) {
      double u = seeded != null ? seeded.nextDouble() : ThreadLocalRandom.current().nextDouble();
      life = Math.max(1, (long) (ttlNanos * (1 + jitter * (2 * u - 1))));
    }
    long fresh;
    long expires;
    if (swrNanos > 0) {
      fresh = now + ttlNanos; // the stale window starts at the TTL, without jitter
      expires = Math.max(fresh, now + saturatedAdd(life, swrNanos));
    } else {
      fresh = now + life;
      expires = fresh;
    }
    return new Entry<>(value, null, now, loadNanos, fresh, expires);
  }

  private boolean isNegative(Exception e) {
    for (Class<? extends Exception> t : config.negativeFor()) {
      if (t.isInstance(e)) {
        return true;
      }
    }
    return false;
  }

  private void rememberLastGood(K key, V value) {
    Cache<K, V> lg = lastGood;
    if (lg != null) {
      lg.put(key, value);
    }
  }

  // ---- keys and weights

  private void checkKey(K key) {
    int size = keySize.applyAsInt(key);
    if (size > maxKeySize) {
      throw new IllegalArgumentException(
          "cache "
              + name
              + ": key of size "
              + size
              + " exceeds maxKeySize "
              + maxKeySize
              + " (key starts "
              + describe(key)
              + ")");
    }
  }

  private static String describe(Object key) {
    String s = String.valueOf(key);
    return s.length() <= KEY_IN_MESSAGE
        ? "'" + s + "'"
        : "'" + s.substring(0, KEY_IN_MESSAGE) + "…'";
  }

  private int weigh(ToIntBiFunction<? super K, ? super V> weigher, K key, Object stored) {
    V v = valueOf(stored);
    return v == null ? 1 : checkedWeight(weigher, key, v);
  }

  private int checkedWeight(ToIntBiFunction<? super K, ? super V> weigher, K key, V value) {
    int w = weigher.applyAsInt(key, value);
    if (w < 0) {
      throw new IllegalArgumentException(
          "cache "
              + name
              + ": weigher returned "
              + w
              + " for key "
              + describe(key)
              + "; must be >= 0");
    }
    return w;
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  // ---- Caffeine plumbing

  /**
   * One load of a key (or the refresh of its value {@code old}), run on a virtual thread; its
   * waiters join it. It stores its result only while it is still the key's load in {@link
   * #inflight}, and wakes its waiters after that.
   */
  private final class Load extends CompletableFuture<@Nullable Object> {
    private final K key;
    private final @Nullable Object old;

    Load(K key, @Nullable Object old) {
      this.key = key;
      this.old = old;
    }

    void start() {
      loadExecutor.execute(this::run);
    }

    private void run() {
      Object result;
      try {
        result = loadOne(key);
      } catch (Throwable e) {
        // an Error (loads turn exceptions into entries) fails this load's readers only
        fail(e);
        return;
      }
      finish(result);
    }

    /**
     * Stores {@code result} if it is to be kept and this is still the key's load; wakes waiters.
     */
    void finish(@Nullable Object result) {
      inflight.compute(
          key,
          (k, current) -> {
            if (current != this) {
              return current; // invalidated or replaced by a put meanwhile: not stored
            }
            if (result == null) {
              if (old != null) {
                values.invalidate(k); // the source no longer has it
              }
            } else if (!(result instanceof Entry<?> e && e.isTransientFailure())) {
              values.put(k, result);
            } // a failure not cached: handed to the waiters; a refresh keeps the old value
            return null;
          });
      complete(result);
    }

    void fail(Throwable e) {
      inflight.remove(key, this);
      completeExceptionally(e);
    }
  }

  /** Each entry's own expiry; a plain value (no jitter, no stale window) lives the TTL. */
  private static final class EntryExpiry<K> implements Expiry<K, Object> {
    private final long ttlNanos;

    EntryExpiry(long ttlNanos) {
      this.ttlNanos = ttlNanos;
    }

    @Override
    public long expireAfterCreate(K key, Object stored, long now) {
      return stored instanceof Entry<?> e ? Math.max(0, e.expiresAtNanos - now) : ttlNanos;
    }

    @Override
    public long expireAfterUpdate(K key, Object stored, long now, long currentDuration) {
      return expireAfterCreate(key, stored, now);
    }

    @Override
    public long expireAfterRead(K key, Object stored, long now, long currentDuration) {
      return currentDuration;
    }
  }

  /** What the invalidation consumer evicts and flushes. */
  private final class Target implements InvalidationTarget<K> {
    private final long maxLagMillis = config.maxInvalidationLag().toMillis();

    @Override
    public String cacheName() {
      return name;
    }

    @Override
    public long maxLagMillis() {
      return maxLagMillis;
    }

    @Override
    public void evictDelivered(K key, long latencyNanos) {
      evictLocal(key);
      invalidations.increment();
      invalidationRed.success(latencyNanos);
    }

    @Override
    public void flush(String reason) {
      evictAllLocal();
      flushes.increment();
      decisions.record(component, "flush", reason);
    }
  }
}
