package io.bulwark.bench.data;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.bulwark.data.cache.CacheConfig;
import io.bulwark.data.cache.ReadThroughCache;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A read-through cache hit: Bulwark's {@link ReadThroughCache#get} against a raw Caffeine {@code
 * LoadingCache.get} configured alike: the same maximum size ({@value #MAXIMUM_SIZE}), the same TTL
 * (Bulwark's default, 5 minutes; {@code expireAfterWrite} on Caffeine), the same {@value #KEYS}
 * keys, all loaded before measuring (the same hit set), and the same key sequence per thread. A
 * third side, {@code caffeineSizeOnly}, is Caffeine without any expiry (the cheapest hit Caffeine
 * has), for reference. Each cache is shared by the benchmark threads, as a service's cache is. Each
 * side counts its loads; tear-down fails the run if any measured call missed, so the rows are hits
 * only. The subclasses fix the thread count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class CacheHitBenchmark {
  static final int KEYS = 1024;
  static final int MAXIMUM_SIZE = 10_000;

  private final String[] keys = new String[KEYS];
  static final Duration TTL = Duration.ofMinutes(5);

  private final AtomicLong bulwarkLoads = new AtomicLong();
  private final AtomicLong caffeineLoads = new AtomicLong();
  private final AtomicLong sizeOnlyLoads = new AtomicLong();
  private ReadThroughCache<String, String> bulwark;
  private LoadingCache<String, String> caffeine;
  private LoadingCache<String, String> caffeineSizeOnly;

  /**
   * Each thread walks the keys from its own offset, so two threads do not touch one key in step.
   */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup
    public void setUp() {
      next = (int) (Thread.currentThread().threadId() * 617);
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "sku-" + i;
    }
    bulwark =
        ReadThroughCache.<String, String>builder(
                CacheConfig.builder("bench").maximumSize(MAXIMUM_SIZE).ttl(TTL).build(),
                key -> {
                  bulwarkLoads.incrementAndGet();
                  return value(key);
                })
            .build();
    caffeine =
        Caffeine.newBuilder()
            .maximumSize(MAXIMUM_SIZE)
            .expireAfterWrite(TTL)
            .build(
                key -> {
                  caffeineLoads.incrementAndGet();
                  return value(key);
                });
    caffeineSizeOnly =
        Caffeine.newBuilder()
            .maximumSize(MAXIMUM_SIZE)
            .build(
                key -> {
                  sizeOnlyLoads.incrementAndGet();
                  return value(key);
                });
    for (String key : keys) {
      bulwark.get(key);
      caffeine.get(key);
      caffeineSizeOnly.get(key);
    }
  }

  @TearDown(Level.Trial)
  public void checkAllHits() {
    bulwark.close();
    check("bulwark", bulwarkLoads);
    check("caffeine", caffeineLoads);
    check("caffeineSizeOnly", sizeOnlyLoads);
  }

  private static void check(String side, AtomicLong loads) {
    if (loads.get() != KEYS) {
      throw new IllegalStateException(
          side + " loaded " + loads.get() + " times for " + KEYS + " keys: a measured call missed");
    }
  }

  static String value(String key) {
    return "value of " + key;
  }

  private String key(Cursor c) {
    return keys[c.next++ & (KEYS - 1)];
  }

  @Benchmark
  public String getHit_bulwark(Cursor c) {
    return bulwark.get(key(c));
  }

  @Benchmark
  public String getHit_caffeine(Cursor c) {
    return caffeine.get(key(c));
  }

  @Benchmark
  public String getHit_caffeineSizeOnly(Cursor c) {
    return caffeineSizeOnly.get(key(c));
  }
}
