package io.bulwark.data.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.test.RecordingTelemetry;
import io.bulwark.test.VirtualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The hit path: sampled and exact hit counts, the telemetry series, and the two ways a value is
 * stored (itself, or in an entry when stale-while-revalidate, XFetch or jitter read its times).
 */
class CacheHitPathTest {
  private final VirtualClock clock = new VirtualClock();
  private final RecordingTelemetry telemetry = new RecordingTelemetry();

  private long redCount(String name, Outcome outcome) {
    return telemetry.red().stream()
        .filter(r -> r.name().equals(name) && r.outcome() == outcome)
        .count();
  }

  @Test
  void hitsAreSampledByDefaultAsAnUnbiasedEstimateTiedToTheTelemetrySample() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        ReadThroughCache.<String, String>builder(
                CacheConfig.of("sampled"),
                key -> {
                  loads.incrementAndGet();
                  return "v-" + key;
                })
            .clock(clock)
            .telemetry(telemetry)
            .build();
    assertThat(cache.get("k")).isEqualTo("v-k"); // the miss
    int hits = 64_000;
    for (int i = 0; i < hits / 2; i++) {
      assertThat(cache.get("k")).isEqualTo("v-k");
      assertThat(cache.getIfPresent("k")).isEqualTo("v-k");
    }
    CacheStats stats = cache.stats();
    assertThat(loads).hasValue(1);
    assertThat(stats.misses()).isEqualTo(1);
    assertThat(stats.loads()).isEqualTo(1);
    // each sampled hit adds 64 and is the one telemetry record of that hit
    long sampled = redCount("cache.sampled.hit_sampled", Outcome.SUCCESS);
    assertThat(stats.hits()).isEqualTo(64 * sampled);
    // 64 × Binomial(64,000, 1/64): mean 64,000, standard deviation √(63 × 64,000) ≈ 2,008; 6 σ
    assertThat(stats.hits()).isBetween(64_000L - 12_050, 64_000L + 12_050);
    assertThat(redCount("cache.sampled.miss", Outcome.SUCCESS)).isEqualTo(1);
    assertThat(redCount("cache.sampled.load", Outcome.SUCCESS)).isEqualTo(1);
  }

  @Test
  void sizeEvictionsAndExpiriesAreRecordedAsTelemetrySeriesByCause() {
    ReadThroughCache<String, String> cache =
        ReadThroughCache.<String, String>builder(
                CacheConfig.builder("bounded").maximumSize(10).ttl(Duration.ofMinutes(1)).build(),
                key -> "v-" + key)
            .clock(clock)
            .telemetry(telemetry)
            .build();
    CaffeineReadThroughCache<String, String> impl =
        (CaffeineReadThroughCache<String, String>) cache;
    for (int i = 0; i < 10; i++) {
      cache.get("k" + i);
    }
    impl.cleanUp();
    // within the bound: nothing evicted, and hits add nothing to either series
    for (int i = 0; i < 1000; i++) {
      assertThat(cache.get("k" + (i % 10))).isEqualTo("v-k" + (i % 10));
    }
    impl.cleanUp();
    assertThat(redCount("cache.bounded.eviction.size", Outcome.SUCCESS)).isZero();
    assertThat(redCount("cache.bounded.eviction.expired", Outcome.SUCCESS)).isZero();
    for (int i = 10; i < 100; i++) {
      cache.get("k" + i);
    }
    impl.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(10);
    // every size eviction once in telemetry, as in stats()
    assertThat(cache.stats().evictions()).isEqualTo(90);
    assertThat(redCount("cache.bounded.eviction.size", Outcome.SUCCESS)).isEqualTo(90);
    assertThat(redCount("cache.bounded.eviction.expired", Outcome.SUCCESS)).isZero();

    clock.advance(Duration.ofMinutes(1)); // the 10 left expire: a cause of their own
    impl.cleanUp();
    assertThat(cache.estimatedSize()).isZero();
    assertThat(redCount("cache.bounded.eviction.expired", Outcome.SUCCESS)).isEqualTo(10);
    assertThat(redCount("cache.bounded.eviction.size", Outcome.SUCCESS)).isEqualTo(90);
    assertThat(cache.stats().evictions()).as("stats count size evictions only").isEqualTo(90);
  }

  /** Each storage mode: plain values, entries (SWR, jitter, XFetch), plain values with absences. */
  private static final Map<String, UnaryOperator<CacheConfig.Builder>> MODES =
      Map.of(
          "plain", b -> b,
          "swr", b -> b.staleWhileRevalidate(Duration.ofSeconds(30)),
          "jitter", b -> b.ttlJitter(0.1),
          "xfetch", b -> b.earlyRefreshBeta(1),
          "negative", b -> b.negativeTtl(Duration.ofSeconds(2)));

  @Test
  void exactHitCountsCountEveryHitOfGetGetIfPresentAndLookupInEveryStorageMode() {
    for (var mode : MODES.entrySet()) {
      AtomicInteger loads = new AtomicInteger();
      ReadThroughCache<String, String> cache =
          ReadThroughCache.<String, String>builder(
                  mode.getValue().apply(CacheConfig.builder(mode.getKey())).build(),
                  key -> {
                    loads.incrementAndGet();
                    return "v-" + key;
                  })
              .clock(clock)
              .randomSeed(7)
              .exactHitCounts()
              .build();
      assertThat(cache.get("k")).as(mode.getKey()).isEqualTo("v-k");
      for (int i = 0; i < 99; i++) {
        assertThat(cache.get("k")).as(mode.getKey()).isEqualTo("v-k");
      }
      for (int i = 0; i < 50; i++) {
        assertThat(cache.getIfPresent("k")).as(mode.getKey()).isEqualTo("v-k");
      }
      for (int i = 0; i < 10; i++) {
        assertThat(cache.lookup("k")).as(mode.getKey()).isEqualTo(Lookup.fresh("v-k"));
      }
      assertThat(cache.getIfPresent("absent")).as(mode.getKey()).isNull();
      CacheStats stats = cache.stats();
      assertThat(stats.hits()).as(mode.getKey()).isEqualTo(99 + 50 + 10);
      assertThat(stats.misses()).as(mode.getKey()).isEqualTo(1);
      assertThat(loads).as(mode.getKey()).hasValue(1);
    }
  }

  @Test
  void putGetAllAndInvalidateWorkAlikeInEveryStorageMode() {
    for (var mode : MODES.entrySet()) {
      AtomicInteger loads = new AtomicInteger();
      ReadThroughCache<String, String> cache =
          ReadThroughCache.<String, String>builder(
                  mode.getValue().apply(CacheConfig.builder(mode.getKey())).build(),
                  key -> {
                    loads.incrementAndGet();
                    return key.startsWith("none") ? null : "v-" + key;
                  })
              .clock(clock)
              .exactHitCounts()
              .build();
      cache.put("p", "put");
      assertThat(cache.get("p")).as(mode.getKey()).isEqualTo("put");
      assertThat(cache.lookup("p")).as(mode.getKey()).isEqualTo(Lookup.fresh("put"));
      assertThat(cache.getAll(List.of("p", "a", "none-1")))
          .as(mode.getKey())
          .containsExactly(Map.entry("p", "put"), Map.entry("a", "v-a"));
      assertThat(cache.get("a")).as(mode.getKey()).isEqualTo("v-a");
      // one bulk load of a and none-1 (the default loadAll calls load per key)
      assertThat(cache.stats().loads()).as(mode.getKey()).isEqualTo(1);
      assertThat(loads).as(mode.getKey()).hasValue(2);
      cache.invalidate("p");
      assertThat(cache.getIfPresent("p")).as(mode.getKey()).isNull();
      assertThat(cache.get("p")).as(mode.getKey()).isEqualTo("v-p");
      assertThat(cache.stats().loads()).as(mode.getKey()).isEqualTo(2);
      assertThat(cache.stats().invalidations()).as(mode.getKey()).isEqualTo(1);
      // hits: get p, lookup p, get a (bulk-loaded); getAll counts none, the reload of p is a miss
      assertThat(cache.stats().hits()).as(mode.getKey()).isEqualTo(3);
      assertThat(cache.stats().misses()).as(mode.getKey()).isEqualTo(1);
    }
  }

  @Test
  void underANegativeTtlAPlainValueLivesTheTtlAndACachedAbsenceTheNegativeTtl() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        ReadThroughCache.<String, String>builder(
                CacheConfig.builder("mixed")
                    .ttl(Duration.ofSeconds(60))
                    .negativeTtl(Duration.ofSeconds(2))
                    .build(),
                key -> {
                  loads.incrementAndGet();
                  return key.equals("none") ? null : "v-" + key;
                })
            .clock(clock)
            .build();
    assertThat(cache.get("a")).isEqualTo("v-a");
    assertThat(cache.get("none")).isNull();
    CaffeineReadThroughCache<String, String> impl =
        (CaffeineReadThroughCache<String, String>) cache;
    ReadThroughCacheTest.await(
        "both expiries applied", () -> impl.expirySettled("a") && impl.expirySettled("none"));
    assertThat(loads).hasValue(2);
    clock.advance(Duration.ofMillis(2001));
    assertThat(cache.get("a")).isEqualTo("v-a"); // still cached
    assertThat(loads).hasValue(2);
    assertThat(cache.get("none")).isNull(); // the absence expired: loaded again
    assertThat(loads).hasValue(3);
    clock.advance(Duration.ofMillis(57_999).minusNanos(1)); // just under 60 s after the load
    assertThat(cache.getIfPresent("a")).isEqualTo("v-a");
    clock.advance(Duration.ofNanos(1)); // 60 s: gone
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.get("a")).isEqualTo("v-a");
    assertThat(loads).hasValue(4);
  }

  /**
   * A cache of {@code mode} whose first load (of "k", by a reader) is held while {@code write}
   * runs; returns the cache after that reader got the load's value "v1". Later loads answer "v2",
   * "v3"….
   */
  private ReadThroughCache<String, String> writeDuringALoad(
      String mode, AtomicInteger loads, Consumer<ReadThroughCache<String, String>> write)
      throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ReadThroughCache<String, String> cache =
        ReadThroughCache.<String, String>builder(
                MODES.get(mode).apply(CacheConfig.builder(mode)).build(),
                key -> {
                  int n = loads.incrementAndGet();
                  if (n == 1) {
                    started.countDown();
                    release.await();
                  }
                  return "v" + n;
                })
            .clock(clock)
            .build();
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> reader = vts.submit(() -> cache.get("k"));
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      write.accept(cache);
      release.countDown();
      assertThat(reader.get()).as(mode).isEqualTo("v1"); // the load's reader gets its value
    }
    return cache;
  }

  @Test
  void anInvalidationOvertakingALoadKeepsItsResultOutButHandsItToItsReadersInEveryStorageMode()
      throws Exception {
    for (String mode : MODES.keySet()) {
      AtomicInteger loads = new AtomicInteger();
      // the load in flight read the source before this write
      ReadThroughCache<String, String> cache =
          writeDuringALoad(mode, loads, c -> c.invalidate("k"));
      assertThat(cache.getIfPresent("k")).as(mode).isNull(); // but it was not stored
      assertThat(cache.get("k")).as(mode).isEqualTo("v2");
      assertThat(cache.get("k")).as(mode).isEqualTo("v2");
      assertThat(loads).as(mode).hasValue(2);
    }
  }

  @Test
  void aPutDuringALoadWinsOverTheLoadInEveryStorageMode() throws Exception {
    for (String mode : MODES.keySet()) {
      AtomicInteger loads = new AtomicInteger();
      ReadThroughCache<String, String> cache =
          writeDuringALoad(
              mode,
              loads,
              c -> {
                c.put("k", "written");
                // a read after the put sees the put, not the load still in flight
                assertThat(c.get("k")).as(mode).isEqualTo("written");
              });
      assertThat(cache.get("k")).as(mode).isEqualTo("written");
      assertThat(cache.lookup("k")).as(mode).isEqualTo(Lookup.fresh("written"));
      assertThat(loads).as(mode).hasValue(1);
    }
  }

  @Test
  void aFlushOvertakingLoadsKeepsAllTheirResultsOut() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        writeDuringALoad("plain", loads, ReadThroughCache::invalidateAllLocal);
    assertThat(cache.estimatedSize()).isZero();
    assertThat(cache.get("k")).isEqualTo("v2");
  }

  @Test
  void aLoaderThrowingAnErrorFailsItsReadersLeavesNothingBehindAndIsRecordedAsAFailure() {
    AtomicInteger loads = new AtomicInteger();
    ReadThroughCache<String, String> cache =
        ReadThroughCache.<String, String>builder(
                CacheConfig.of("error"),
                key -> {
                  if (loads.incrementAndGet() == 1) {
                    throw new StackOverflowError("deep " + key);
                  }
                  return "v-" + key;
                })
            .clock(clock)
            .telemetry(telemetry)
            .build();
    assertThatThrownBy(() -> cache.get("k"))
        .isInstanceOf(CacheLoadException.class)
        .hasMessageContaining("cache error: loading key 'k' failed")
        .hasCauseInstanceOf(StackOverflowError.class);
    assertThat(cache.get("k")).isEqualTo("v-k");
    assertThat(cache.get("k")).isEqualTo("v-k");
    assertThat(loads).hasValue(2);
    assertThat(redCount("cache.error.miss", Outcome.ERROR)).isEqualTo(1);
    assertThat(redCount("cache.error.miss", Outcome.SUCCESS)).isEqualTo(1);
  }

  @Test
  void aNullKeyIsRejectedByNameOnEveryReadPath() {
    ReadThroughCache<String, String> cache =
        ReadThroughCache.<String, String>builder(CacheConfig.of("nulls"), key -> "v")
            .clock(clock)
            .build();
    cache.get("warm");
    for (Runnable read :
        List.<Runnable>of(
            () -> cache.get(nullKey()),
            () -> cache.getIfPresent(nullKey()),
            () -> cache.lookup(nullKey()))) {
      assertThatThrownBy(read::run).isInstanceOf(NullPointerException.class).hasMessage("key");
    }
    assertThat(IntStream.range(0, 3).mapToObj(i -> cache.get("warm"))).containsOnly("v");
  }

  @SuppressWarnings("NullAway") // deliberately hostile input
  private static String nullKey() {
    return null;
  }
}
