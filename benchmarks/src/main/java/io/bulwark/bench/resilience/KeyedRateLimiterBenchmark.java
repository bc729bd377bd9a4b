package io.bulwark.bench.resilience;

import io.bulwark.core.time.Scheduler;
import io.bulwark.resilience.KeyedRateLimiter;
import io.bulwark.resilience.RateLimiter;
import io.bulwark.resilience.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The keyed rate limiter when its map is full: every call brings a key never seen before, so each
 * one is admitted past {@code maxKeys} and another key is evicted. The limit is one permit per
 * hour, so no key turns idle during the run: every eviction is one of an active key, the costly
 * case. The two sizes show whether admission depends on {@code maxKeys} (target: it does not,
 * O(1)); {@code knownKey} is the path of a key already held (two threads on one key), for
 * comparison. No anchor: neither Resilience4j nor Failsafe bounds a per-key limiter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class KeyedRateLimiterBenchmark {
  private static final String KNOWN = "tenant-1";

  @Param({"1000", "100000"})
  public int maxKeys;

  private final AtomicLong nextKey = new AtomicLong();
  private KeyedRateLimiter<Long> full;
  private KeyedRateLimiter<String> known;

  @Setup
  public void setUp() {
    full =
        RateLimiter.keyed(
            "keyed-full",
            RateLimiterConfig.builder().rate(1, Duration.ofHours(1)).build(),
            Scheduler.system(),
            maxKeys);
    for (long k = 0; k < maxKeys; k++) {
      full.tryAcquire(-1 - k);
    }
    known =
        RateLimiter.keyed(
            "keyed-known",
            // a burst of a million at a million per second: the key stays held (it would turn
            // idle, and be dropped and re-created, after burst × interval = 1 s without a call)
            // and its permits never run out during an iteration
            RateLimiterConfig.builder()
                .rate(1_000_000, Duration.ofSeconds(1))
                .burst(1_000_000)
                .build(),
            Scheduler.system(),
            maxKeys);
  }

  @Benchmark
  public boolean newKeyPastMaxKeys() {
    return full.tryAcquire(nextKey.getAndIncrement());
  }

  @Benchmark
  public boolean knownKey() {
    return known.tryAcquire(KNOWN);
  }
}
