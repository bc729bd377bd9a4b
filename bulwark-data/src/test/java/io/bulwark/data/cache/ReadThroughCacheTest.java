package io.bulwark.data.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.resilience.Pipeline;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Read-through semantics under virtual time: coalescing, SWR, XFetch, negative caching, bounds. */
class ReadThroughCacheTest {
  private final VirtualClock clock = new VirtualClock();

  /**
   * Spins until {@code condition} (a marker set by the code under test) holds, yielding so that the
   * virtual threads that set it can run; fails after a generous real-time bound.
   */
  @SuppressWarnings("ThreadPriorityCheck") // a spinning virtual thread must give its carrier up
  static void await(String what, BooleanSupplier condition) {
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > limit) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.yield();
    }
  }

  private ReadThroughCache<String, String> cache(
      CacheConfig.Builder config, CacheLoader<String, String> loader) {
    return ReadThroughCache.builder(config.build(), loader).clock(clock).randomSeed(42).build();
  }

  @Test
  void thousandConcurrentReadersOfOneColdKeyCauseExactlyOneLoad() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    AtomicReference<ReadThroughCache<String, String>> holder = new AtomicReference<>();
    ReadThroughCache<String, String> cache =
        ReadThroughCache.<String, String>builder(
                CacheConfig.builder("stampede").build(),
                key -> {
                  loads.incrementAndGet();
                  // the load is held until the 999 other readers have joined it
                  await("999 joined readers", () -> holder.get().stats().coalesced() == 999);
                  return "v-" + key;
                })
            .clock(clock)
            .exactHitCounts()
            .build();
    holder.set(cache);
    List<Future<String>> results = new ArrayList<>();
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 1000; i++) {
        results.add(vts.submit(() -> cache.get("cold")));
      }
      for (Future<String> r : results) {
        assertThat(r.get()).isEqualTo("v-cold");
      }
    }
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().loads()).isEqualTo(1);
    assertThat(cache.stats().misses()).isEqualTo(1000);
    assertThat(cache.stats().coalesced()).isEqualTo(999);
    assertThat(cache.get("cold")).isEqualTo("v-cold");
    assertThat(cache.stats().hits()).isEqualTo(1);
    assertThat(loads).hasValue(1);
  }

  @Test
  void loadRunsOnAVirtualThread() {
    ReadThroughCache<String, String> cache =
        cache(CacheConfig.builder("vt"), key -> String.valueOf(Thread.currentThread().isVirtual()));
    assertThat(cache.get("k")).isEqualTo("true");
  }

  @Test
  void expiredKeyIsServedStaleWhileExactlyOneRefreshRuns() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch refreshStarted = new CountDownLatch(1);
    CountDownLatch releaseRefresh = new CountDownLatch(1);
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("swr")
                .ttl(Duration.ofSeconds(10))
                .staleWhileRevalidate(Duration.ofSeconds(5)),
            key -> {
              int n = loads.incrementAndGet();
              if (n > 1) {
                refreshStarted.countDown();
                releaseRefresh.await();
              }
              return "v" + n;
            });
    assertThat(cache.get("k")).isEqualTo("v1");
    clock.advance(Duration.ofSeconds(9));
    assertThat(cache.lookup("k")).isEqualTo(Lookup.fresh("v1"));
    clock.advance(Duration.ofSeconds(2)); // 11 s: past the TTL, inside the stale window

    assertThat(cache.get("k")).isEqualTo("v1"); // served at once, refresh started
    assertThat(refreshStarted.await(30, TimeUnit.SECONDS)).isTrue();
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Lookup<String>>> reads = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        reads.add(vts.submit(() -> cache.lookup("k")));
      }
      for (Future<Lookup<String>> r : reads) {
        assertThat(r.get()).isEqualTo(Lookup.stale("v1")); // nobody waits for the refresh
      }
    }
    assertThat(loads).hasValue(2); // exactly one refresh while it is in flight
    releaseRefresh.countDown();
    await("refreshed value", () -> "v2".equals(cache.getIfPresent("k")));
    assertThat(cache.lookup("k")).isEqualTo(Lookup.fresh("v2"));
    assertThat(loads).hasValue(2);
    assertThat(cache.stats().staleServed()).isGreaterThanOrEqualTo(201);
  }

  @Test
  void pastTheStaleWindowAReadWaitsForAFreshLoad() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("swr-hard")
                .ttl(Duration.ofSeconds(10))
                .staleWhileRevalidate(Duration.ofSeconds(5)),
            key -> "v" + loads.incrementAndGet());
    assertThat(cache.get("k")).isEqualTo("v1");
    clock.advance(Duration.ofSeconds(16));
    assertThat(cache.lookup("k")).isEqualTo(Lookup.fresh("v2"));
  }

  @Test
  void failedRefreshKeepsServingTheStaleValue() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("swr-fail")
                .ttl(Duration.ofSeconds(10))
                .staleWhileRevalidate(Duration.ofSeconds(5)),
            key -> {
              if (loads.incrementAndGet() > 1) {
                throw new IllegalStateException("source down");
              }
              return "v1";
            });
    assertThat(cache.get("k")).isEqualTo("v1");
    clock.advance(Duration.ofSeconds(11));
    assertThat(cache.get("k")).isEqualTo("v1");
    await("the refresh failed", () -> cache.stats().loadFailures() == 1);
    assertThat(cache.lookup("k")).isEqualTo(Lookup.stale("v1"));
  }

  @Test
  void xfetchRefreshesEarlyOnlyNearExpiryAndReproduciblyForASeed() {
    List<Integer> first = xfetchRun(7);
    List<Integer> second = xfetchRun(7);
    assertThat(first).isEqualTo(second); // same seed, same reads that refresh early
    assertThat(first).isNotEmpty();
  }

  /** Returns the read indexes (second of the TTL, 10 reads each) that started an early refresh. */
  private List<Integer> xfetchRun(long seed) {
    VirtualClock c = new VirtualClock();
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        ReadThroughCache.builder(
                CacheConfig.builder("xfetch")
                    .ttl(Duration.ofSeconds(100))
                    .earlyRefreshBeta(1.0)
                    .build(),
                (String key) -> {
                  loads.incrementAndGet();
                  c.advance(Duration.ofSeconds(1)); // each load takes 1 s: XFetch's delta
                  return "v";
                })
            .clock(c)
            .randomSeed(seed)
            .build();
    CaffeineReadThroughCache<String, String> impl =
        (CaffeineReadThroughCache<String, String>) cache;
    cache.get("k"); // loaded at t=1 s, fresh until 101 s
    List<Integer> early = new ArrayList<>();
    for (int second = 0; second < 99; second++) {
      c.advance(Duration.ofSeconds(1));
      for (int i = 0; i < 10; i++) {
        long before = impl.earlyRefreshes();
        cache.get("k");
        if (impl.earlyRefreshes() > before) {
          early.add(second * 10 + i); // the first early refresh; later ones race with its load
          // an early refresh must be near expiry: P(refresh at t) = exp(-(101 - t)/delta);
          // 90 s before expiry that is e^-90, which no seed reaches
          assertThat(second).as("early refresh %d s before expiry", 99 - second).isGreaterThan(80);
          await("the early refresh's load", () -> loads.get() == 2);
          return early;
        }
      }
    }
    return early;
  }

  @Test
  void nullFromTheLoaderIsCachedAsAbsentForTheNegativeTtl() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("neg")
                .ttl(Duration.ofMinutes(1))
                .negativeTtl(Duration.ofSeconds(2)),
            key -> {
              loads.incrementAndGet();
              return null;
            });
    assertThat(cache.get("missing")).isNull();
    assertThat(cache.get("missing")).isNull();
    assertThat(cache.lookup("missing")).isEqualTo(Lookup.absent());
    assertThat(loads).hasValue(1);
    assertThat(cache.stats().negativeHits()).isEqualTo(2);
    clock.advance(Duration.ofMillis(2001));
    assertThat(cache.get("missing")).isNull();
    assertThat(loads).hasValue(2);
  }

  @Test
  void nullWithoutNegativeCachingIsNotCached() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("noneg"),
            key -> {
              loads.incrementAndGet();
              return null;
            });
    assertThat(cache.get("missing")).isNull();
    assertThat(cache.get("missing")).isNull();
    assertThat(loads).hasValue(2);
  }

  static final class NotFound extends Exception {
    NotFound(String message) {
      super(message);
    }
  }

  @Test
  void configuredFailureIsCachedForTheNegativeTtlOthersAreRetried() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("negfail")
                .negativeTtl(Duration.ofSeconds(3))
                .negativeFor(NotFound.class),
            key -> {
              loads.incrementAndGet();
              if (key.equals("gone")) {
                throw new NotFound(key);
              }
              throw new IllegalStateException("flaky " + key);
            });
    assertThatThrownBy(() -> cache.get("gone"))
        .isInstanceOf(CacheLoadException.class)
        .hasCauseInstanceOf(NotFound.class);
    assertThatThrownBy(() -> cache.get("gone"))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("negativeTtl")
        .hasCauseInstanceOf(NotFound.class);
    assertThat(loads).hasValue(1);
    clock.advance(Duration.ofSeconds(4));
    assertThatThrownBy(() -> cache.get("gone")).hasCauseInstanceOf(NotFound.class);
    assertThat(loads).hasValue(2);

    assertThatThrownBy(() -> cache.get("flaky")).hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.get("flaky")).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(loads).hasValue(4); // not cached: each call retried
  }

  @Test
  void coalescedWaitersGetTheSameFailureAndTheNextCallLoadsAgain() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicReference<ReadThroughCache<String, String>> holder = new AtomicReference<>();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("fail"),
            key -> {
              if (loads.incrementAndGet() == 1) {
                // a miss is counted before the read joins the load; coalesced once it holds it
                await("9 joined waiters", () -> holder.get().stats().coalesced() == 9);
                throw boom;
              }
              return "recovered";
            });
    holder.set(cache);
    List<Future<String>> waiters = new ArrayList<>();
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 10; i++) {
        waiters.add(vts.submit(() -> cache.get("k")));
      }
      for (Future<String> w : waiters) {
        assertThatThrownBy(w::get)
            .cause()
            .isInstanceOf(CacheLoadException.class)
            .cause()
            .isSameAs(boom);
      }
    }
    release.countDown();
    assertThat(cache.get("k")).isEqualTo("recovered"); // the failure did not poison the key
    assertThat(loads).hasValue(2);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);
    assertThat(cache.stats().coalesced()).isEqualTo(9);
  }

  @Test
  void aFailedLoadLeavesNoEntryBehindUnderTheFixedExpiry() {
    // no jitter and no negative TTL: the fixed expiry, where a failure does not expire by itself
    AtomicReference<ReadThroughCache<String, String>> holder = new AtomicReference<>();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("fixed"),
            new CacheLoader<>() {
              @Override
              public String load(String key) {
                // Caffeine has stored the pending load before it fails
                await("the miss", () -> holder.get().stats().misses() >= 1);
                throw new IllegalStateException("down");
              }

              @Override
              public Map<String, String> loadAll(Set<? extends String> keys) {
                // Caffeine stores a pending entry per key before it calls the bulk load
                throw new IllegalStateException("down");
              }
            });
    holder.set(cache);
    assertThatThrownBy(() -> cache.get("k")).isInstanceOf(CacheLoadException.class);
    assertThat(cache.estimatedSize()).isZero();
    assertThat(cache.getIfPresent("k")).isNull();
    assertThatThrownBy(() -> cache.getAll(List.of("a", "b")))
        .isInstanceOf(CacheLoadException.class);
    await("bulk failures removed", () -> cache.estimatedSize() == 0);
    assertThat(cache.stats().loadFailures()).isEqualTo(2);
  }

  @Test
  void badKeysAreRejectedWithTheirSize() {
    ReadThroughCache<String, String> cache =
        cache(CacheConfig.builder("keys").maxKeySize(8), key -> "v");
    assertThatThrownBy(() -> cache.get(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> cache.get("123456789"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys")
        .hasMessageContaining("size 9")
        .hasMessageContaining("maxKeySize 8");
    assertThatThrownBy(() -> cache.put("123456789", "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cache.getAll(List.of("ok", "123456789")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(cache.get("12345678")).isEqualTo("v");
  }

  @Test
  void badConfigValuesAreRejectedByName() {
    assertThatThrownBy(() -> CacheConfig.builder("c").ttl(Duration.ofSeconds(-1)))
        .hasMessageContaining("ttl")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> CacheConfig.builder("c").ttl(Duration.ZERO))
        .hasMessageContaining("ttl");
    assertThatThrownBy(() -> CacheConfig.builder("c").negativeTtl(Duration.ofMillis(-5)))
        .hasMessageContaining("negativeTtl");
    assertThatThrownBy(() -> CacheConfig.builder("c").ttlJitter(1.0))
        .hasMessageContaining("ttlJitter must be in [0, 1), was 1.0");
    assertThatThrownBy(() -> CacheConfig.builder("c").ttlJitter(-0.1)).hasMessageContaining("-0.1");
    assertThatThrownBy(() -> CacheConfig.builder("c").ttlJitter(Double.NaN))
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> CacheConfig.builder("c").earlyRefreshBeta(-1))
        .hasMessageContaining("earlyRefreshBeta");
    assertThatThrownBy(() -> CacheConfig.builder("c").maximumSize(-1))
        .hasMessageContaining("maximumSize");
    assertThatThrownBy(() -> CacheConfig.builder(" ")).hasMessageContaining("name");
    assertThatThrownBy(
            () ->
                ReadThroughCache.builder(
                        CacheConfig.builder("w").maximumWeight(100).build(), (String k) -> "v")
                    .build())
        .hasMessageContaining("maximumWeight 100 needs a weigher");
  }

  @Test
  void jitterSpreadsExpiryWithinItsBounds() {
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("jitter").ttl(Duration.ofSeconds(100)).ttlJitter(0.2), key -> "v");
    for (int i = 0; i < 500; i++) {
      cache.get("k" + i);
    }
    // each load's expiry is applied by Caffeine on the loader's thread, possibly after get returned
    CaffeineReadThroughCache<String, String> caffeine =
        (CaffeineReadThroughCache<String, String>) cache;
    await(
        "every expiry applied",
        () ->
            java.util.stream.IntStream.range(0, 500)
                .allMatch(i -> caffeine.expirySettled("k" + i)));
    clock.advance(Duration.ofSeconds(80).minusNanos(1)); // just under ttl × (1 − jitter)
    assertThat(present(cache, 500)).isEqualTo(500);
    clock.advance(Duration.ofSeconds(20)); // ttl
    int atTtl = present(cache, 500);
    assertThat(atTtl).isBetween(150, 350); // about half expired before, half after
    clock.advance(Duration.ofSeconds(20).plusNanos(2)); // past ttl × (1 + jitter)
    assertThat(present(cache, 500)).isZero();
  }

  private static int present(ReadThroughCache<String, String> cache, int n) {
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (cache.getIfPresent("k" + i) != null) {
        count++;
      }
    }
    return count;
  }

  @Test
  void sizeAndWeightBoundsEvict() {
    ReadThroughCache<String, String> sized =
        cache(CacheConfig.builder("sized").maximumSize(10), key -> "v" + key);
    for (int i = 0; i < 100; i++) {
      sized.get("k" + i);
    }
    ((CaffeineReadThroughCache<String, String>) sized).cleanUp();
    assertThat(sized.estimatedSize()).isLessThanOrEqualTo(10);
    assertThat(sized.stats().evictions()).isGreaterThanOrEqualTo(90);

    ReadThroughCache<String, String> weighted =
        ReadThroughCache.builder(
                CacheConfig.builder("weighted").maximumWeight(1000).build(),
                (String key) -> "x".repeat(100))
            .clock(clock)
            .weigher((k, v) -> v.length())
            .build();
    for (int i = 0; i < 50; i++) {
      weighted.get("k" + i);
    }
    ((CaffeineReadThroughCache<String, String>) weighted).cleanUp();
    assertThat(weighted.estimatedSize()).isLessThanOrEqualTo(10);
    assertThat(weighted.stats().evictions()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void getAllLoadsMissingKeysInOneBulkCallJoiningALoadInFlight() throws Exception {
    List<Set<String>> bulkCalls = new ArrayList<>();
    AtomicInteger singles = new AtomicInteger();
    CountDownLatch singleStarted = new CountDownLatch(1);
    CountDownLatch releaseSingle = new CountDownLatch(1);
    CacheLoader<String, String> loader =
        bulkLoader(
            bulkCalls,
            singles,
            held(singleStarted, releaseSingle, key -> "single-" + key),
            keys -> {
              Map<String, String> m = new ConcurrentHashMap<>();
              for (String k : keys) {
                if (!k.equals("none")) {
                  m.put(k, "bulk-" + k);
                }
              }
              return m;
            });
    ReadThroughCache<String, String> cache =
        ReadThroughCache.builder(CacheConfig.of("bulk"), loader).clock(clock).build();
    cache.put("cached", "c");
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> single = vts.submit(() -> cache.get("a"));
      assertThat(singleStarted.await(30, TimeUnit.SECONDS)).isTrue();
      Future<Map<String, String>> all =
          vts.submit(() -> cache.getAll(List.of("a", "b", "c", "cached", "none")));
      await("the bulk load", () -> !snapshot(bulkCalls).isEmpty());
      releaseSingle.countDown();
      assertThat(single.get()).isEqualTo("single-a");
      assertThat(all.get())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("a", "single-a", "b", "bulk-b", "c", "bulk-c", "cached", "c"));
    }
    assertThat(snapshot(bulkCalls)).containsExactly(Set.of("b", "c", "none"));
    assertThat(singles).hasValue(1);
    assertThat(cache.stats().coalesced()).as("getAll joined the load of a").isEqualTo(1);
  }

  /** What a test loader answers for a key or a set of keys; it may throw, or wait on a latch. */
  @FunctionalInterface
  private interface Answer<T, R> {
    R apply(T t) throws Exception;
  }

  /** {@code answer}, once it has counted {@code started} down and {@code release} has opened. */
  private static Answer<String, String> held(
      CountDownLatch started, CountDownLatch release, Answer<String, String> answer) {
    return key -> {
      started.countDown();
      release.await();
      return answer.apply(key);
    };
  }

  /** A loader whose load answers "single-" + key and whose loadAll is {@code bulk}, counted. */
  private static CacheLoader<String, String> bulkLoader(
      List<Set<String>> bulkCalls,
      AtomicInteger singles,
      Answer<Set<? extends String>, Map<String, String>> bulk) {
    return bulkLoader(bulkCalls, singles, key -> "single-" + key, bulk);
  }

  /**
   * A loader whose load is {@code single} and whose loadAll is {@code bulk}: each load counted in
   * {@code singles}, each loadAll's keys added to {@code bulkCalls}.
   */
  private static CacheLoader<String, String> bulkLoader(
      List<Set<String>> bulkCalls,
      AtomicInteger singles,
      Answer<String, String> single,
      Answer<Set<? extends String>, Map<String, String>> bulk) {
    return new CacheLoader<>() {
      @Override
      public String load(String key) throws Exception {
        singles.incrementAndGet();
        return single.apply(key);
      }

      @Override
      public Map<String, String> loadAll(Set<? extends String> keys) throws Exception {
        synchronized (bulkCalls) {
          bulkCalls.add(Set.copyOf(keys));
        }
        return bulk.apply(keys);
      }
    };
  }

  @Test
  void aBulkLoadReturningANullMapIsALoadFailureNamingTheCacheAndLeavesNothingBehind() {
    List<Set<String>> bulkCalls = new ArrayList<>();
    AtomicInteger singles = new AtomicInteger();
    io.bulwark.test.RecordingTelemetry telemetry = new io.bulwark.test.RecordingTelemetry();
    AtomicReference<Map<String, String>> next = new AtomicReference<>(); // loadAll answers null
    ReadThroughCache<String, String> cache =
        ReadThroughCache.builder(
                // even a type configured for negative caching does not cache a broken loader
                CacheConfig.builder("nullmap")
                    .negativeTtl(Duration.ofSeconds(30))
                    .negativeFor(IllegalStateException.class)
                    .build(),
                bulkLoader(bulkCalls, singles, keys -> next.get()))
            .clock(clock)
            .telemetry(telemetry)
            .build();
    assertThatThrownBy(() -> cache.getAll(List.of("a", "b")))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("cache nullmap")
        .hasMessageContaining("loadAll of 2 keys returned null instead of a map")
        .hasRootCauseInstanceOf(IllegalStateException.class);
    assertThat(cache.stats().loads()).isEqualTo(1);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);
    assertThat(telemetry.red())
        .filteredOn(r -> r.name().equals("cache.nullmap.load"))
        .extracting(io.bulwark.test.RecordingTelemetry.Red::outcome)
        .containsExactly(io.bulwark.core.telemetry.Outcome.ERROR);
    assertThat(cache.estimatedSize()).isZero();
    assertThat(cache.getIfPresent("a")).isNull();
    next.set(Map.of("a", "bulk-a", "b", "bulk-b"));
    assertThat(cache.getAll(List.of("a", "b")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "bulk-a", "b", "bulk-b"));
    assertThat(snapshot(bulkCalls)).containsExactly(Set.of("a", "b"), Set.of("a", "b"));
    assertThat(singles).hasValue(0);
  }

  @Test
  void aBulkLoadsMissingKeysNullValuesAndExtraKeysHaveTheirDocumentedOutcomes() {
    for (Duration negativeTtl : List.of(Duration.ZERO, Duration.ofSeconds(5))) {
      List<Set<String>> bulkCalls = new ArrayList<>();
      AtomicInteger singles = new AtomicInteger();
      ReadThroughCache<String, String> cache =
          ReadThroughCache.builder(
                  CacheConfig.builder("outcomes").negativeTtl(negativeTtl).build(),
                  bulkLoader(
                      bulkCalls,
                      singles,
                      keys -> {
                        Map<String, String> m = new java.util.HashMap<>();
                        m.put("a", "bulk-a"); // asked
                        m.put("nulled", null); // asked, mapped to null: no value
                        m.put("extra", "bulk-extra"); // not asked: ignored
                        return m; // "missing" asked and left out: no value
                      }))
              .clock(clock)
              .build();
      String as = "negativeTtl " + negativeTtl;
      assertThat(cache.getAll(List.of("a", "nulled", "missing")))
          .as(as)
          .containsExactly(Map.entry("a", "bulk-a"));
      assertThat(cache.getIfPresent("extra")).as(as).isNull();
      assertThat(cache.get("extra")).as(as).isEqualTo("single-extra");
      // the keys without a value: remembered as absent only under a negative TTL
      assertThat(cache.getAll(List.of("a", "nulled", "missing")))
          .as(as)
          .containsExactly(Map.entry("a", "bulk-a"));
      int expectedBulkCalls = negativeTtl.isZero() ? 2 : 1;
      assertThat(snapshot(bulkCalls)).as(as).hasSize(expectedBulkCalls);
      if (negativeTtl.isZero()) {
        assertThat(snapshot(bulkCalls).get(1)).as(as).isEqualTo(Set.of("nulled", "missing"));
      }
      assertThat(cache.stats().loadFailures()).as(as).isZero();
      assertThat(singles).as(as).hasValue(1);
    }
  }

  @Test
  void getAllRefreshesItsStaleKeysInOneBackgroundBulkLoadJoiningARefreshInFlight()
      throws Exception {
    List<Set<String>> bulkCalls = new ArrayList<>();
    AtomicInteger singles = new AtomicInteger();
    AtomicInteger version = new AtomicInteger(1);
    CountDownLatch singleRefreshStarted = new CountDownLatch(1);
    CountDownLatch releaseSingle = new CountDownLatch(1);
    CountDownLatch bulkRefreshStarted = new CountDownLatch(1);
    CountDownLatch releaseBulk = new CountDownLatch(1);
    CacheLoader<String, String> loader =
        bulkLoader(
            bulkCalls,
            singles,
            held(singleRefreshStarted, releaseSingle, key -> key + "-v" + version.get()),
            keys -> {
              if (version.get() > 1) {
                bulkRefreshStarted.countDown();
                releaseBulk.await();
              }
              Map<String, String> m = new java.util.HashMap<>();
              for (String k : keys) {
                m.put(k, k + "-v" + version.get());
              }
              return m;
            });
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("bulk-swr")
                .ttl(Duration.ofSeconds(10))
                .staleWhileRevalidate(Duration.ofSeconds(5)),
            loader);
    List<String> keys = List.of("k0", "k1", "k2", "k3", "k4");
    Map<String, String> v1 = Map.of("k0", "k0-v1", "k1", "k1-v1", "k2", "k2-v1", "k3", "k3-v1");
    Map<String, String> all1 = new java.util.HashMap<>(v1);
    all1.put("k4", "k4-v1");
    assertThat(cache.getAll(keys)).isEqualTo(all1);
    clock.advance(Duration.ofSeconds(11)); // all five stale
    version.set(2);
    assertThat(cache.get("k0")).isEqualTo("k0-v1"); // single-key get: its own refresh
    assertThat(singleRefreshStarted.await(30, TimeUnit.SECONDS)).isTrue();

    // stale values at once; one bulk refresh of the four keys not refreshing already
    assertThat(cache.getAll(keys)).isEqualTo(all1);
    assertThat(bulkRefreshStarted.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(cache.getAll(keys)).as("no second refresh while both run").isEqualTo(all1);
    assertThat(cache.lookup("k3")).isEqualTo(Lookup.stale("k3-v1"));
    assertThat(snapshot(bulkCalls))
        .containsExactly(Set.copyOf(keys), Set.of("k1", "k2", "k3", "k4"));
    assertThat(singles).hasValue(1);

    releaseBulk.countDown();
    releaseSingle.countDown();
    await("refreshed values", () -> "k4-v2".equals(cache.getIfPresent("k4")));
    await("refreshed k0", () -> "k0-v2".equals(cache.getIfPresent("k0")));
    Map<String, String> all2 = new java.util.HashMap<>();
    for (String k : keys) {
      all2.put(k, k + "-v2");
    }
    assertThat(cache.getAll(keys)).isEqualTo(all2);
    assertThat(cache.lookup("k2")).isEqualTo(Lookup.fresh("k2-v2"));
    assertThat(snapshot(bulkCalls)).hasSize(2);
    assertThat(singles).hasValue(1);
    assertThat(cache.stats().loads()).isEqualTo(3); // the first bulk, k0's refresh, the bulk one
  }

  @Test
  void aFailedBulkRefreshKeepsServingTheStaleValues() {
    List<Set<String>> bulkCalls = new ArrayList<>();
    AtomicInteger singles = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("bulk-swr-fail")
                .ttl(Duration.ofSeconds(10))
                .staleWhileRevalidate(Duration.ofSeconds(5)),
            bulkLoader(
                bulkCalls,
                singles,
                keys -> {
                  if (snapshot(bulkCalls).size() > 1) {
                    throw new IllegalStateException("source down");
                  }
                  Map<String, String> m = new java.util.HashMap<>();
                  for (String k : keys) {
                    m.put(k, k + "-v1");
                  }
                  return m;
                }));
    List<String> keys = List.of("a", "b", "c");
    Map<String, String> v1 = Map.of("a", "a-v1", "b", "b-v1", "c", "c-v1");
    assertThat(cache.getAll(keys)).isEqualTo(v1);
    clock.advance(Duration.ofSeconds(11));
    assertThat(cache.getAll(keys)).isEqualTo(v1);
    await("the bulk refresh failed", () -> cache.stats().loadFailures() == 1);
    assertThat(snapshot(bulkCalls)).containsExactly(Set.copyOf(keys), Set.copyOf(keys));
    // the failure kept the stale values (a read after it may start the next bulk refresh)
    assertThat(cache.getAll(keys)).isEqualTo(v1);
    assertThat(cache.stats().staleServed()).isEqualTo(6);
    assertThat(cache.estimatedSize()).isEqualTo(3);
    assertThat(singles).hasValue(0);
  }

  private static List<Set<String>> snapshot(List<Set<String>> calls) {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  @Test
  void lookupServesTheLastGoodValueMarkedStaleWhenTheSourceFails() {
    AtomicInteger loads = new AtomicInteger();
    IllegalStateException down = new IllegalStateException("source down");
    ReadThroughCache<String, String> cache =
        cache(
            CacheConfig.builder("lastgood")
                .ttl(Duration.ofSeconds(10))
                .lastGoodRetention(Duration.ofMinutes(10)),
            key -> {
              if (loads.incrementAndGet() > 1) {
                throw down;
              }
              return "good";
            });
    assertThat(cache.lookup("k")).isEqualTo(Lookup.fresh("good"));
    clock.advance(Duration.ofSeconds(11)); // the entry expired; the source is down
    Lookup<String> l = cache.lookup("k");
    assertThat(l.value()).isEqualTo("good");
    assertThat(l.stale()).isTrue();
    assertThat(l.failure()).isSameAs(down);
    assertThatThrownBy(() -> cache.get("k")).hasCause(down); // get never returns stale on failure
    clock.advance(Duration.ofMinutes(11)); // past the retention: nothing to fall back on
    assertThatThrownBy(() -> cache.lookup("k")).hasCause(down);
  }

  @Test
  void asAResilienceFallbackTheCacheServesItsValueMarkedStaleWhenTheSourceFails() throws Exception {
    ReadThroughCache<String, String> cache =
        cache(CacheConfig.builder("fb").lastGoodRetention(Duration.ofMinutes(10)), key -> "cached");
    cache.get("k");
    IllegalStateException down = new IllegalStateException("source down");
    Pipeline pipeline = Pipeline.of(cache.fallback("catalog-fallback", "k"));
    Lookup<String> served =
        pipeline.call(
            () -> {
              throw down;
            });
    assertThat(served).isEqualTo(Lookup.staleOnFailure("cached", down));
    Lookup<String> fresh = pipeline.call(() -> Lookup.fresh("from source"));
    assertThat(fresh).isEqualTo(Lookup.fresh("from source"));

    Pipeline none = Pipeline.of(cache.fallback("no-value", "never-loaded"));
    assertThatThrownBy(
            () ->
                none.call(
                    () -> {
                      throw down;
                    }))
        .isSameAs(down);
  }
}
