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
 * {@link ReadThroughCache} on a Caffeine {@link AsyncLoadingCache} of {@link Entry} futures.
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
 * future) and a refresh in flight is discarded. The hit path of {@link #get} reads the map, the
 * completed future's result and a field, then increments a striped counter; it allocates nothing
 * and reads no clock of its own (Caffeine reads its ticker for expiry). XFetch, when enabled, adds
 * a clock read and a random draw per hit.
 */
final class CaffeineReadThroughCache<K, V> implements ReadThroughCache<K, V> {
  private static final int KEY_IN_MESSAGE = 64;

  private final String name;
  private final CacheConfig config;
  private final CacheLoader<K, V> loader;
  private final Clock clock;
  private final AsyncLoadingCache<K, Entry<V>> async;
  private final LoadingCache<K, Entry<V>> sync;
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
      caffeine.expireAfter(new EntryExpiry<K, V>());
    } else {
      caffeine.expireAfterWrite(Duration.ofNanos(saturatedAdd(ttlNanos, swrNanos)));
    }
    Caffeine<K, Entry<V>> typed =
        caffeine.<K, Entry<V>>evictionListener(
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

  @Override
  public @Nullable V get(K key) {
    CompletableFuture<Entry<V>> f = async.getIfPresent(Objects.requireNonNull(key, "key"));
    if (f != null && beta == 0) {
      Entry<V> e;
      try {
        e = f.getNow(null);
      } catch (CompletionException failed) {
        e = null;
      }
      if (e != null) {
        V v = e.value;
        if (v != null) {
          hits.increment();
          if ((ThreadLocalRandom.current().nextInt() & 63) == 0) {
            hitSampleRed.success(0);
          }
          return v;
        }
      }
    }
    return getSlow(key);
  }

  private @Nullable V getSlow(K key) {
    Entry<V> e = resolve(key);
    if (e == null) {
      return null;
    }
    V v = e.value;
    if (v == null && e.failure != null) {
      throw cachedFailure(key, e);
    }
    return v;
  }

  /** The entry for {@code key}, loading it if needed; null if the source has no value. */
  private @Nullable Entry<V> resolve(K key) {
    checkKey(key);
    for (int attempt = 0; ; attempt++) {
      long loadsBefore = loadSeq.get();
      CompletableFuture<Entry<V>> f = async.get(key);
      if (f.isDone()) {
        Entry<V> done = f.isCompletedExceptionally() ? null : f.getNow(null);
        // completed before this read asked (a hit), or while it asked (this read's own miss)
        boolean before = done == null || done.loadSeq <= loadsBefore;
        boolean failed = done == null ? f.isCompletedExceptionally() : done.isTransientFailure();
        if (attempt == 0 && before && failed) {
          // it failed before this read: its waiters got the failure; this read loads again
          async.asMap().remove(key, f);
          continue;
        }
        if (before) {
          Entry<V> e = join(key, f);
          countHit(key, e);
          return e;
        }
      }
      misses.increment();
      long start = clock.nanoTime();
      try {
        Entry<V> e = join(key, f);
        missRed.success(clock.nanoTime() - start);
        if (e != null) {
          forgetIfTransient(key, e); // a failure a reader of the load got is not kept
        }
        return e;
      } catch (RuntimeException failed) {
        missRed.failure(clock.nanoTime() - start);
        throw failed;
      }
    }
  }

  private void countHit(K key, @Nullable Entry<V> e) {
    if (e == null) {
      return;
    }
    if (e.value == null) {
      if (!e.isTransientFailure()) {
        negativeHits.increment();
      }
      return;
    }
    hits.increment();
    if (beta > 0) {
      long now = clock.nanoTime();
      double rand =
          1.0 - (seeded != null ? seeded.nextDouble() : ThreadLocalRandom.current().nextDouble());
      if (now - e.loadNanos * beta * Math.log(rand) >= e.freshUntilNanos) {
        earlyRefreshes.increment();
        CompletableFuture<Entry<V>> unused = sync.refresh(key);
      }
    }
  }

  private @Nullable Entry<V> join(K key, CompletableFuture<Entry<V>> f) {
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

  private RuntimeException cachedFailure(K key, Entry<V> e) {
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
    Entry<V> e;
    try {
      e = resolve(key);
    } catch (CacheLoadException failed) {
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      V last = lastGoodValue(key);
      if (last != null) {
        staleServed.increment();
        return Lookup.staleOnFailure(last, cause);
      }
      throw failed;
    }
    if (e == null) {
      return Lookup.absent();
    }
    V v = e.value;
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
    CompletableFuture<Entry<V>> f = async.getIfPresent(key);
    if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
      Entry<V> e = f.join();
      if (e != null && e.value != null) {
        return e.value;
      }
    }
    Cache<K, V> lg = lastGood;
    return lg == null ? null : lg.getIfPresent(key);
  }

  @Override
  public @Nullable V getIfPresent(K key) {
    CompletableFuture<Entry<V>> f = async.getIfPresent(Objects.requireNonNull(key, "key"));
    if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
      return null;
    }
    Entry<V> e = f.join();
    if (e == null || e.value == null) {
      return null;
    }
    hits.increment();
    return e.value;
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
    Map<K, Entry<V>> entries;
    try {
      entries = async.getAll(wanted).join();
    } catch (CompletionException failed) {
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      throw new CacheLoadException(
          "cache " + name + ": bulk load of " + wanted.size() + " keys failed: " + cause, cause);
    }
    RuntimeException failure = null;
    for (Map.Entry<K, Entry<V>> me : entries.entrySet()) {
      Entry<V> e = me.getValue();
      V v = e.value;
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
    async.put(key, CompletableFuture.completedFuture(valueEntry(value, now, 0, 0)));
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

  private @Nullable Entry<V> loadOne(K key) {
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
          ? new Entry<>(null, null, end, 0, end, end + negativeNanos, loadSeq.incrementAndGet())
          : null;
    }
    rememberLastGood(key, value);
    return valueEntry(value, end, end - start, loadSeq.incrementAndGet());
  }

  private Entry<V> failed(Exception e, long start) {
    long end = clock.nanoTime();
    loadFailures.increment();
    loadRed.record(Outcome.of(e), end - start);
    if (negativeNanos > 0 && isNegative(e)) {
      decisions.record(component, "failure_cached", e.getClass().getSimpleName());
      return new Entry<>(null, e, end, 0, end, end + negativeNanos, loadSeq.incrementAndGet());
    }
    // completes the load normally so that Caffeine neither logs nor keeps it: the entry expires at
    // once, its waiters rethrow the failure, the next read loads again
    return new Entry<>(null, e, end, 0, end, end, loadSeq.incrementAndGet());
  }

  private Map<K, Entry<V>> loadMany(Set<? extends K> keys) {
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
      Map<K, Entry<V>> failedAll = new HashMap<>();
      for (K k : keys) {
        failedAll.put(k, new Entry<>(null, e, end, 0, end, expires, seq));
      }
      return failedAll;
    }
    long end = clock.nanoTime();
    loadRed.success(end - start);
    long seq = loadSeq.incrementAndGet();
    Map<K, Entry<V>> result = new HashMap<>();
    for (K k : keys) {
      V v = values.get(k);
      if (v != null) {
        rememberLastGood(k, v);
        result.put(k, valueEntry(v, end, end - start, seq));
      } else if (negativeNanos > 0) {
        result.put(k, new Entry<>(null, null, end, 0, end, end + negativeNanos, seq));
      }
    }
    return result;
  }

  private Entry<V> valueEntry(V value, long now, long loadNanos, long seq) {
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
  private void forgetIfTransient(K key, Entry<V> e) {
    if (variableExpiry || !e.isTransientFailure()) {
      return;
    }
    CompletableFuture<Entry<V>> current = async.getIfPresent(key);
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

  private int weigh(ToIntBiFunction<? super K, ? super V> weigher, K key, Entry<V> e) {
    V v = e.value;
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
  private final class Loader implements AsyncCacheLoader<K, Entry<V>> {
    @Override
    public CompletableFuture<? extends Entry<V>> asyncLoad(K key, Executor executor) {
      return LoadFuture.start(() -> loadOne(key), loadExecutor);
    }

    @Override
    public CompletableFuture<? extends Map<? extends K, ? extends Entry<V>>> asyncLoadAll(
        Set<? extends K> keys, Executor executor) {
      return LoadFuture.start(() -> loadMany(keys), loadExecutor);
    }

    @Override
    public CompletableFuture<? extends Entry<V>> asyncReload(
        K key, Entry<V> old, Executor executor) {
      if (old.value != null && clock.nanoTime() - old.freshUntilNanos >= 0) {
        staleServed.increment(); // a read of the stale entry started this refresh
      }
      return LoadFuture.start(
          () -> {
            Entry<V> fresh = loadOne(key);
            // a failed refresh keeps the old value (until its hard expiry)
            return fresh != null && fresh.isTransientFailure() ? old : fresh;
          },
          loadExecutor);
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

    static <T> LoadFuture<T> start(java.util.function.Supplier<T> load, Executor executor) {
      LoadFuture<T> f = new LoadFuture<>();
      executor.execute(
          () -> {
            try {
              f.complete(load.get());
            } catch (Throwable e) {
              f.completeExceptionally(e);
            } finally {
              f.settled.countDown();
            }
          });
      return f;
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

  private static final class EntryExpiry<K, V> implements Expiry<K, Entry<V>> {
    @Override
    public long expireAfterCreate(K key, Entry<V> e, long now) {
      return Math.max(0, e.expiresAtNanos - now);
    }

    @Override
    public long expireAfterUpdate(K key, Entry<V> e, long now, long currentDuration) {
      return Math.max(0, e.expiresAtNanos - now);
    }

    @Override
    public long expireAfterRead(K key, Entry<V> e, long now, long currentDuration) {
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
