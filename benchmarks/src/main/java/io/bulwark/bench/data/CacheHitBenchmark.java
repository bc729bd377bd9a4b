package io.bulwark.bench.data;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
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
 * A read-through cache hit: Bulwark's cache against a raw Caffeine {@code LoadingCache} of the same
 * maximum size, the same {@value #KEYS} keys, all loaded before measuring (the same hit set), and
 * the same key sequence per thread. The cache is shared by the benchmark threads, as a service's
 * cache is. Each side counts its loads; tear-down fails the run if any measured call missed, so the
 * rows are hits only. The subclasses fix the thread count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class CacheHitBenchmark {
  static final int KEYS = 1024;
  static final int MAXIMUM_SIZE = 10_000;

  private final String[] keys = new String[KEYS];
  private final AtomicLong caffeineLoads = new AtomicLong();
  private LoadingCache<String, String> caffeine;

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
    caffeine =
        Caffeine.newBuilder()
            .maximumSize(MAXIMUM_SIZE)
            .build(
                key -> {
                  caffeineLoads.incrementAndGet();
                  return value(key);
                });
    for (String key : keys) {
      caffeine.get(key);
    }
  }

  @TearDown(Level.Trial)
  public void checkAllHits() {
    if (caffeineLoads.get() != KEYS) {
      throw new IllegalStateException(
          "caffeine loaded " + caffeineLoads.get() + " times for " + KEYS + " keys: a miss");
    }
  }

  static String value(String key) {
    return "value of " + key;
  }

  private String key(Cursor c) {
    return keys[c.next++ & (KEYS - 1)];
  }

  @Benchmark
  public String getHit_caffeine(Cursor c) {
    return caffeine.get(key(c));
  }
}
