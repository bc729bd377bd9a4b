package io.bulwark.data.cache;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.RemovalCause;
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
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntBiFunction;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * {@link ReadThroughCache} on a Caffeine {@link AsyncLoadingCache} of futures of plain values or
 * {@link Entry} records.
 *
 * <p>Design notes. Coalescing is Caffeine's: the map holds one future per key, so every reader of a
 * key being loaded joins the same future; loads run on virtual threads (the executor starts one per
 * task), so a blocking loader never holds a Caffeine or common-pool thread. Stale-while-revalidate
 * is Caffeine's {@code refreshAfterWrite(ttl)} (one refresh per key in flight; a read during it
 * gets the old value), with the hard expiry at {@code ttl + staleWhileRevalidate}. Every entry's
 * life is the same unless a TTL jitter or a negative TTL is configured, so the cache then uses
 * Caffeine's fixed {@code expireAfterWrite}, whose read costs about half a variable {@link
 * Expiry}'s (which reschedules the entry on every read); with jitter or a negative TTL each entry
 * carries its own expiry. A failed load that is not cached as negative is not kept (it expires at
 * once under the variable expiry; under the fixed one the reader that gets it removes it); a reader
 * that finds a future that had already failed before it asked removes it and loads again, while
 * readers that joined the load before it failed get its failure. Invalidation removes the future,
 * so a load in flight is not stored (Caffeine only updates an entry that still maps to the same
 * future) and a refresh in flight is discarded. A value is stored as itself when nothing reads its
 * times (no stale-while-revalidate, XFetch or jitter), else in an entry; absences and failures are
 * always entries. The hit path of {@link #get} is a small method that inlines: it reads the map and
 * the completed future's result and, for a plain value, draws a thread-local random number; one hit
 * in {@value #HIT_SAMPLE} goes out of line to telemetry (and to the hit counter, which counts every
 * hit only with exact hit counts). It allocates nothing and reads no clock of its own (Caffeine
 * reads its ticker for expiry). An entry's hit takes the next method; XFetch adds a clock read and
 * a random draw per hit.
 */
final class CaffeineReadThroughCache<K, V> implements ReadThroughCache<K, V> {
  private static final int KEY_IN_MESSAGE = 64;

  /** One hit in this many (a power of two) is recorded to telemetry (and counted, if sampled). */
  static final int HIT_SAMPLE = 64;

  private final String name;
  private final CacheConfig config;
  private final CacheLoader<K, V> loader;
  private final Clock clock;
  // a key maps to a future of either the plain value or an Entry (see plainValues)
  private final AsyncLoadingCache<K, Object> async;
  private final LoadingCache<K, Object> sync;
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
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder negativeHits = new LongAdder();
  private final LongAdder invalidations = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder earlyRefreshes = new LongAdder();
  // numbers completed loads, so that a reader knows whether the load it sees completed before it
  // asked (a hit, or an old failure to retry) or while it asked (its own miss, a failure to report)
  private final AtomicLong loadSeq = new AtomicLong();

  private final String component;
  private final RedRecorder loadRed;
  private final RedRecorder missRed;
  private final RedRecorder hitSampleRed;
  private final RedRecorder invalidationRed;
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
    // loads and refreshes ignore it and run on loadExecutor's virtual threads
    Caffeine<Object, Object> caffeine = Caffeine.newBuilder().ticker(clock::nanoTime);
    if (weigher != null) {
      caffeine.maximumWeight(config.maximumWeight());
    } else {
      caffeine.maximumSize(config.maximumSize());
    }
    if (swrNanos > 0) {
      caffeine.refreshAfterWrite(Duration.ofNanos(ttlNanos));
    }
    this.variableExpiry = jitter > 0 || negativeNanos > 0;
    if (variableExpiry) {
      caffeine.expireAfter(new EntryExpiry<K>(ttlNanos));
    } else {
      caffeine.expireAfterWrite(Duration.ofNanos(saturatedAdd(ttlNanos, swrNanos)));
    }
    Caffeine<K, Object> typed =
        caffeine.<K, Object>evictionListener(
            (k, e, cause) -> {
              if (cause == RemovalCause.SIZE) {
                evictions.increment();
              }
            });
    if (weigher != null) {
      typed = typed.weigher((k, e) -> weigh(weigher, k, e));
    }
    this.async = typed.buildAsync(new Loader());
    this.sync = async.synchronous();

    if (config.lastGoodRetention().isZero()) {
      this.lastGood = null;
    } else {
      Caffeine<Object, Object> lg =
          Caffeine.newBuilder()
              .ticker(clock::nanoTime)
              .expireAfterWrite(config.lastGoodRetention());
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

  @Override
  public String name() {
    return name;
  }

  /**
   * Whether Caffeine has applied the expiry of {@code key}'s completed load. Caffeine sets it in a
   * completion callback that may still be running on the loader's thread after a reader of the load
   * has returned; with a real clock the gap is microseconds, but a test on virtual time must wait
   * for it before it moves the clock.
   */
  boolean expirySettled(K key) {
    if (!variableExpiry) {
      // a pending load's write time lies ~220 y ahead, so its age is hugely negative
      return sync.policy()
          .expireAfterWrite()
          .flatMap(p -> p.ageOf(key))
          .map(age -> age.compareTo(SETTLED_BOUND.negated()) > 0)
          .orElse(true);
    }
    return sync.policy()
        .expireVariably()
        .flatMap(p -> p.getExpiresAfter(key))
        .map(d -> d.compareTo(SETTLED_BOUND) < 0)
        .orElse(true);
  }

  /** Longer than any expiry Bulwark sets; Caffeine's placeholder for a pending load is ~220 y. */
  private static final java.time.Duration SETTLED_BOUND = java.time.Duration.ofDays(365L * 100);

  /**
   * The hit path, kept small so that it inlines: Caffeine's lookup, the completed future's result
   * and, for a plain value, a sampled hit count. Everything else (an entry, a miss, a failure,
   * XFetch) goes to {@link #getSlow}.
   */
  @Override
  public @Nullable V get(K key) {
    CompletableFuture<Object> f = async.getIfPresent(Objects.requireNonNull(key, "key"));
    if (f != null) {
      Object o = doneResult(f);
      if (o != null && !(o instanceof Entry)) {
        recordHit();
        return plain(o);
      }
    }
    return getSlow(key, f);
  }

  /** The result of {@code f} if it completed normally, else null. */
  private static @Nullable Object doneResult(CompletableFuture<Object> f) {
    try {
      return f.getNow(null);
    } catch (CompletionException | java.util.concurrent.CancellationException failed) {
      return null;
    }
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

  /** The value of what a future holds: a plain value, an entry's value, or null. */
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

  private @Nullable V getSlow(K key, @Nullable CompletableFuture<Object> present) {
    if (present != null && beta == 0 && doneResult(present) instanceof Entry<?> hit) {
      V v = entryValue(hit);
      if (v != null) {
        recordHit();
        return v;
      }
    }
    Object o = resolve(key);
    if (o instanceof Entry<?> e) {
      if (e.value == null && e.failure != null) {
        throw cachedFailure(key, e);
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
    for (int attempt = 0; ; attempt++) {
      long loadsBefore = loadSeq.get();
      CompletableFuture<Object> f = async.get(key);
      if (f.isDone()) {
        Object done = f.isCompletedExceptionally() ? null : f.getNow(null);
        // completed before this read asked (a hit), or while it asked (this read's own miss)
        boolean before = completionSeq(f, done) <= loadsBefore;
        boolean failed =
            done == null
                ? f.isCompletedExceptionally()
                : done instanceof Entry<?> e && e.isTransientFailure();
        if (attempt == 0 && before && failed) {
          // it failed before this read: its waiters got the failure; this read loads again
          async.asMap().remove(key, f);
          continue;
        }
        if (before) {
          Object e = join(key, f);
          countHit(key, e);
          return e;
        }
      }
      misses.increment();
      long start = clock.nanoTime();
      try {
        Object e = join(key, f);
        missRed.success(clock.nanoTime() - start);
        if (e instanceof Entry<?> entry) {
          forgetIfTransient(key, entry); // a failure a reader of the load got is not kept
        }
        return e;
      } catch (RuntimeException failed) {
        missRed.failure(clock.nanoTime() - start);
        throw failed;
      }
    }
  }

  /**
   * The number of the load that completed {@code f} with {@code done}: a single load's future
   * carries it (also when it failed with an error), a bulk load's entry does; 0 for a put, and for
   * a bulk-loaded plain value or error (a read racing the bulk load's completion then counts as a
   * hit rather than a miss, or loads again rather than getting the error).
   */
  private static long completionSeq(CompletableFuture<Object> f, @Nullable Object done) {
    if (f instanceof LoadFuture<?> load) {
      return load.seq;
    }
    return done instanceof Entry<?> e ? e.loadSeq : 0;
  }

  private void countHit(K key, @Nullable Object o) {
    if (o == null) {
      return;
    }
    if (!(o instanceof Entry<?> e)) {
      recordHit();
      return;
    }
    if (e.value == null) {
      if (!e.isTransientFailure()) {
        negativeHits.increment();
      }
      return;
    }
    recordHit();
    if (beta > 0) {
      long now = clock.nanoTime();
      double rand =
          1.0 - (seeded != null ? seeded.nextDouble() : ThreadLocalRandom.current().nextDouble());
      if (now - e.loadNanos * beta * Math.log(rand) >= e.freshUntilNanos) {
        earlyRefreshes.increment();
        CompletableFuture<Object> unused = sync.refresh(key);
      }
    }
  }

  private @Nullable Object join(K key, CompletableFuture<Object> f) {
    try {
      return f.join();
    } catch (CompletionException | java.util.concurrent.CancellationException failed) {
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      throw new CacheLoadException(
          "cache " + name + ": loading key " + describe(key) + " failed: " + cause, cause);
    } finally {
      if (f instanceof LoadFuture<?> load) {
        load.awaitSettled();
      }
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
    if (clock.nanoTime() - e.freshUntilNanos >= 0) {
      staleServed.increment();
      return Lookup.stale(v);
    }
    return Lookup.fresh(v);
  }

  private @Nullable V lastGoodValue(K key) {
    CompletableFuture<Object> f = async.getIfPresent(key);
    if (f != null) {
      V v = valueOf(doneResult(f));
      if (v != null) {
        return v;
      }
    }
    Cache<K, V> lg = lastGood;
    return lg == null ? null : lg.getIfPresent(key);
  }

  @Override
  public @Nullable V getIfPresent(K key) {
    CompletableFuture<Object> f = async.getIfPresent(Objects.requireNonNull(key, "key"));
    if (f == null) {
      return null;
    }
    V v = valueOf(doneResult(f));
    if (v != null) {
      recordHit();
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
    Map<K, Object> entries;
    try {
      entries = async.getAll(wanted).join();
    } catch (CompletionException failed) {
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      throw new CacheLoadException(
          "cache " + name + ": bulk load of " + wanted.size() + " keys failed: " + cause, cause);
    }
    RuntimeException failure = null;
    for (Map.Entry<K, Object> me : entries.entrySet()) {
      Object o = me.getValue();
      if (!(o instanceof Entry<?> e)) {
        result.put(me.getKey(), plain(o));
        continue;
      }
      V v = entryValue(e);
      if (v != null) {
        result.put(me.getKey(), v);
      } else if (e.failure != null) {
        forgetIfTransient(me.getKey(), e);
        if (failure == null) {
          failure = cachedFailure(me.getKey(), e);
        }
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
    long now = clock.nanoTime();
    async.put(key, CompletableFuture.completedFuture(stored(value, now, 0, 0)));
    rememberLastGood(key, value);
  }

  @Override
  public @Nullable RecordMetadata invalidate(K key) {
    Objects.requireNonNull(key, "key");
    sync.invalidate(key);
    invalidations.increment();
    InvalidationChannel<K> ch = channel;
    return ch == null ? null : ch.engine().publish(name, key);
  }

  @Override
  public void invalidateAllLocal() {
    sync.invalidateAll();
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
    return sync.estimatedSize();
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
    sync.cleanUp();
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
   * that is not cached. A single load's future numbers its completion ({@link LoadFuture#seq}); its
   * entries carry 0.
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
      return negativeNanos > 0
          ? new Entry<>(null, null, end, 0, end, end + negativeNanos, 0)
          : null;
    }
    rememberLastGood(key, value);
    return stored(value, end, end - start, 0);
  }

  private Entry<V> failed(Exception e, long start) {
    long end = clock.nanoTime();
    loadFailures.increment();
    loadRed.record(Outcome.of(e), end - start);
    if (negativeNanos > 0 && isNegative(e)) {
      decisions.record(component, "failure_cached", e.getClass().getSimpleName());
      return new Entry<>(null, e, end, 0, end, end + negativeNanos, 0);
    }
    // completes the load normally so that Caffeine neither logs nor keeps it: the entry expires at
    // once, its waiters rethrow the failure, the next read loads again
    return new Entry<>(null, e, end, 0, end, end, 0);
  }

  private Map<K, Object> loadMany(Set<? extends K> keys) {
    loads.increment();
    long start = clock.nanoTime();
    Map<K, V> values;
    try {
      values = loader.loadAll(keys);
    } catch (Exception e) {
      long end = clock.nanoTime();
      loadFailures.increment();
      loadRed.record(Outcome.of(e), end - start);
      long seq = loadSeq.incrementAndGet();
      long expires = negativeNanos > 0 && isNegative(e) ? end + negativeNanos : end;
      Map<K, Object> failedAll = new HashMap<>();
      for (K k : keys) {
        failedAll.put(k, new Entry<>(null, e, end, 0, end, expires, seq));
      }
      return failedAll;
    }
    long end = clock.nanoTime();
    loadRed.success(end - start);
    long seq = loadSeq.incrementAndGet();
    Map<K, Object> result = new HashMap<>();
    for (K k : keys) {
      V v = values.get(k);
      if (v != null) {
        rememberLastGood(k, v);
        result.put(k, stored(v, end, end - start, seq));
      } else if (negativeNanos > 0) {
        result.put(k, new Entry<>(null, null, end, 0, end, end + negativeNanos, seq));
      }
    }
    return result;
  }

  /** What the map holds for a loaded or put value: the value itself, or an entry with its times. */
  private Object stored(V value, long now, long loadNanos, long seq) {
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
      fresh = now + ttlNanos; // Caffeine's refreshAfterWrite is fixed
      expires = Math.max(fresh, now + saturatedAdd(life, swrNanos));
    } else {
      fresh = now + life;
      expires = fresh;
    }
    return new Entry<>(value, null, now, loadNanos, fresh, expires, seq);
  }

  /**
   * Removes {@code e}, a failure that is not cached, if {@code key} still maps to it: under the
   * fixed expiry it would not expire by itself (the variable expiry ends it at once).
   */
  private void forgetIfTransient(K key, Entry<?> e) {
    if (variableExpiry || !e.isTransientFailure()) {
      return;
    }
    CompletableFuture<Object> current = async.getIfPresent(key);
    if (current != null
        && current.isDone()
        && !current.isCompletedExceptionally()
        && current.getNow(null) == e) {
      async.asMap().remove(key, current);
    }
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

  /** Loads on the cache's virtual threads; a bulk load for getAll, a refresh for SWR and XFetch. */
  private final class Loader implements AsyncCacheLoader<K, Object> {
    @Override
    public CompletableFuture<? extends Object> asyncLoad(K key, Executor executor) {
      return LoadFuture.start(() -> loadOne(key), loadExecutor, loadSeq);
    }

    @Override
    public CompletableFuture<? extends Map<? extends K, ? extends Object>> asyncLoadAll(
        Set<? extends K> keys, Executor executor) {
      return LoadFuture.start(() -> loadMany(keys), loadExecutor, null);
    }

    @Override
    public CompletableFuture<? extends Object> asyncReload(K key, Object old, Executor executor) {
      if (old instanceof Entry<?> e
          && e.value != null
          && clock.nanoTime() - e.freshUntilNanos >= 0) {
        staleServed.increment(); // a read of the stale entry started this refresh
      }
      return LoadFuture.start(
          () -> {
            Object fresh = loadOne(key);
            // a failed refresh keeps the old value (until its hard expiry)
            return fresh instanceof Entry<?> failed && failed.isTransientFailure() ? old : fresh;
          },
          loadExecutor,
          loadSeq);
    }
  }

  /**
   * A load's future that also tells when the loader's thread has finished completing it. Caffeine
   * applies a completed load (its expiry and weight, the removal of a null or failed result) in a
   * completion callback, which may still run on the loader's thread after a waiting reader has
   * woken: a reader of its own load waits for that too, so that what it then reads (an absence not
   * cached, an entry's expiry) does not depend on thread timing.
   */
  static final class LoadFuture<T> extends CompletableFuture<T> {
    private final java.util.concurrent.CountDownLatch settled =
        new java.util.concurrent.CountDownLatch(1);

    /**
     * The number of the load, in the order loads completed (from the cache's counter), set before
     * the future completes; 0 for a bulk load, whose entries carry it.
     */
    volatile long seq;

    static <T> LoadFuture<T> start(
        java.util.function.Supplier<T> load, Executor executor, @Nullable AtomicLong seqs) {
      LoadFuture<T> f = new LoadFuture<>();
      executor.execute(
          () -> {
            try {
              T result;
              try {
                result = load.get();
              } catch (Throwable e) {
                // an Error (loads turn exceptions into entries) fails this load's readers only
                f.number(seqs);
                f.completeExceptionally(e);
                return;
              }
              f.number(seqs);
              f.complete(result);
            } finally {
              f.settled.countDown();
            }
          });
      return f;
    }

    private void number(@Nullable AtomicLong seqs) {
      if (seqs != null) {
        seq = seqs.incrementAndGet();
      }
    }

    /** Waits, uninterruptibly, until the loader's thread has run the completion callbacks. */
    void awaitSettled() {
      boolean interrupted = false;
      while (true) {
        try {
          settled.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
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
      sync.invalidate(key);
      invalidations.increment();
      invalidationRed.success(latencyNanos);
    }

    @Override
    public void flush(String reason) {
      sync.invalidateAll();
      flushes.increment();
      decisions.record(component, "flush", reason);
    }
  }
}
