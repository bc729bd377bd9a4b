package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Criticality;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class RateLimiterTest {

  @Test
  void allowsABurstThenTheSteadyRate(VirtualScheduler scheduler) {
    RateLimiter limiter =
        RateLimiter.of(
            "api",
            RateLimiterConfig.builder().rate(10, Duration.ofSeconds(1)).burst(3).build(),
            scheduler);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    scheduler.advance(Duration.ofMillis(99));
    assertThat(limiter.tryAcquire()).isFalse();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(limiter.availablePermits()).isEqualTo(3);
  }

  @Test
  void pipelineRejectsWithoutCallingWhenNoPermit(VirtualScheduler scheduler) {
    RateLimiter limiter =
        RateLimiter.of(
            "api", RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).build(), scheduler);
    Pipeline p = Pipeline.of(limiter);
    assertThat(p.get(() -> "first")).isEqualTo("first");
    int[] calls = {0};
    assertThatThrownBy(() -> p.get(() -> calls[0]++))
        .isInstanceOf(PolicyRejectedException.class)
        .hasMessage("rate limiter 'api' has no permit");
    assertThat(calls[0]).isZero();
  }

  @Test
  void waitsForThePermitUpToMaxWait(VirtualScheduler scheduler) throws Exception {
    RateLimiter limiter = twoPerSecondWaitingUpTo(Duration.ofMillis(600), scheduler);
    Pipeline p = Pipeline.of(limiter);
    p.get(() -> "now");
    CompletableFuture<Long> waited = p.submit(() -> scheduler.clock().nanoTime());
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofMillis(500));
    assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo(Duration.ofMillis(500).toNanos());
    // the next permit is due at 1000 ms; at 500 ms, wait would be 500 ms ≤ 600 ms
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void neverExceedsTheRateOverAnyWindowUnderManyThreads(VirtualScheduler scheduler)
      throws Exception {
    RateLimiterConfig config =
        RateLimiterConfig.builder().rate(50, Duration.ofSeconds(1)).burst(10).build();
    DefaultRateLimiter limiter = new DefaultRateLimiter("api", config, scheduler);
    assertThat(limiter.stripes()).isEqualTo(1);
    assertNeverExceededUnderManyThreads(limiter, scheduler);
  }

  @Test
  void stripedLimiterNeverExceedsTheRateOverAnyWindowUnderManyThreads(VirtualScheduler scheduler)
      throws Exception {
    // the same limit split over 4 stripes (bursts 3, 3, 2, 2 at 12.5 permits/s each)
    RateLimiterConfig config =
        RateLimiterConfig.builder().rate(50, Duration.ofSeconds(1)).burst(10).build();
    DefaultRateLimiter limiter = new DefaultRateLimiter("api", config, scheduler, 4);
    assertThat(limiter.stripes()).isEqualTo(4);
    assertNeverExceededUnderManyThreads(limiter, scheduler);
  }

  /**
   * 8 threads try 5 permits each per 7 ms step for 2.8 s of virtual time; every window between two
   * admitted calls holds at most {@code burst + window / interval} of them, and at least 90% of the
   * rate is granted.
   */
  private static void assertNeverExceededUnderManyThreads(
      RateLimiter limiter, VirtualScheduler scheduler) throws Exception {
    int threads = 8;
    int steps = 400;
    long stepNanos = Duration.ofMillis(7).toNanos();
    List<Long> admitted = Collections.synchronizedList(new ArrayList<>());
    CyclicBarrier barrier =
        new CyclicBarrier(threads, () -> scheduler.advance(Duration.ofNanos(stepNanos)));
    try (var pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int s = 0; s < steps; s++) {
                    for (int i = 0; i < 5; i++) {
                      long now = scheduler.clock().nanoTime();
                      if (limiter.tryAcquire()) {
                        admitted.add(now);
                      }
                    }
                    barrier.await();
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
    assertWithinLimit(new ArrayList<>(admitted), limiter.config());
    double seconds = steps * stepNanos / 1e9;
    double rate = limiter.config().permits() / (limiter.config().period().toNanos() / 1e9);
    assertThat(admitted.size()).isGreaterThan((int) (0.9 * rate * seconds));
  }

  /** Every window between two admitted times holds at most burst + window / interval of them. */
  private static void assertWithinLimit(List<Long> times, RateLimiterConfig config) {
    Collections.sort(times);
    long interval = config.intervalNanos();
    for (int i = 0; i < times.size(); i++) {
      for (int j = i; j < times.size(); j++) {
        long window = times.get(j) - times.get(i);
        long allowed = config.burst() + window / interval;
        assertThat((long) (j - i + 1))
            .as("permits in [%d, %d]", times.get(i), times.get(j))
            .isLessThanOrEqualTo(allowed);
      }
    }
  }

  @Test
  void oneCallerGetsTheWholeBurstAndRateOfAStripedLimiter(VirtualScheduler scheduler) {
    RateLimiterConfig config =
        RateLimiterConfig.builder().rate(40, Duration.ofSeconds(1)).burst(8).build();
    DefaultRateLimiter limiter = new DefaultRateLimiter("api", config, scheduler, 4);
    List<Long> admitted = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      if (limiter.tryAcquire()) {
        admitted.add(scheduler.clock().nanoTime());
      }
    }
    assertThat(admitted).hasSize(8);
    // greedy for 10 s in 1 ms steps: the stripes' rates add up to 40/s
    for (int ms = 1; ms <= 10_000; ms++) {
      scheduler.advance(Duration.ofMillis(1));
      while (limiter.tryAcquire()) {
        admitted.add(scheduler.clock().nanoTime());
      }
    }
    assertThat(admitted).hasSize(8 + 400);
    assertWithinLimit(admitted, config);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(limiter.availablePermits()).isEqualTo(8);
  }

  @Test
  void stripesOnlyAtRatesWhereStripingAddsAtMostTenMicroseconds() {
    long highRate =
        RateLimiterConfig.builder().rate(1_000_000, Duration.ofSeconds(1)).build().intervalNanos();
    assertThat(StripedGcra.stripesFor(highRate, 1_000_000, 2)).isEqualTo(4);
    assertThat(StripedGcra.stripesFor(highRate, 1_000_000, 8)).isEqualTo(8);
    assertThat(StripedGcra.stripesFor(highRate, 1_000_000, 64)).isEqualTo(8);
    assertThat(StripedGcra.stripesFor(1, 1_000_000_000, 64)).isEqualTo(64);
    assertThat(StripedGcra.stripesFor(highRate, 3, 8)).as("never more than the burst").isEqualTo(2);
    assertThat(StripedGcra.stripesFor(highRate, 1, 8)).isEqualTo(1);
    assertThat(StripedGcra.stripesFor(10_000_000, 1_000, 8)).as("100 permits/s").isEqualTo(1);
  }

  @Test
  void aStageThatWaitedForItsPermitGoesOnUnderTheCallersContext(VirtualScheduler scheduler)
      throws Exception {
    Pipeline p = Pipeline.of(twoPerSecondWaitingUpTo(Duration.ofSeconds(1), scheduler));
    p.get(() -> "now");
    CompletableFuture<Criticality> waited =
        Context.root()
            .withCriticality(Criticality.SHEDDABLE)
            .call(
                () ->
                    p.stage(
                        () -> CompletableFuture.completedFuture(Context.current().criticality())));
    assertThat(waited).isNotDone();
    scheduler.advance(Duration.ofMillis(500));
    assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo(Criticality.SHEDDABLE);
  }

  @Test
  void anInterruptedWaitGivesItsPermitBack(VirtualScheduler scheduler) throws Exception {
    RateLimiter limiter = twoPerSecondWaitingUpTo(Duration.ofSeconds(1), scheduler);
    Pipeline p = Pipeline.of(limiter);
    p.get(() -> "now");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread waiter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    p.get(() -> "later");
                  } catch (Throwable t) {
                    failure.set(t);
                  }
                });
    Drive.untilPending(scheduler, 1);
    waiter.interrupt();
    waiter.join();
    assertThat(failure.get()).hasRootCauseInstanceOf(InterruptedException.class);
    assertThat(scheduler.pendingTasks()).as("the wait's timer is cancelled").isZero();
    scheduler.advance(Duration.ofMillis(500));
    assertThat(limiter.tryAcquire()).as("the permit due at 500 ms is free again").isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void keyedLimiterKeepsOneLimitPerKeyWithBoundedMemory(VirtualScheduler scheduler) {
    KeyedRateLimiter<String> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).build(),
            scheduler,
            100);
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isFalse();
    assertThat(limiter.tryAcquire("bob")).isTrue();
    for (int i = 0; i < 10_000; i++) {
      limiter.tryAcquire("client-" + i);
      assertThat(limiter.size()).isLessThanOrEqualTo(101);
    }
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire("alice")).isTrue();
  }

  @Test
  void aRetiredCellGrantsNothingSoAKeyedCallerLooksTheKeyUpAgain() {
    PaddedLong evicted = new PaddedLong(Gcra.RETIRED);
    assertThat(Gcra.reserve(evicted, 0, 10, 1_000, 0)).isEqualTo(Gcra.RETIRED_CELL);
    assertThat(Gcra.reserve(evicted, Long.MAX_VALUE / 2, 10, 1_000, 1_000))
        .isEqualTo(Gcra.RETIRED_CELL);
    assertThat(evicted.get()).as("never resurrected").isEqualTo(Gcra.RETIRED);
    assertThat(Gcra.available(Gcra.RETIRED, 5_000, 10, 1_000)).as("as a fresh cell").isEqualTo(101);
  }

  @Test
  void keyedLimiterEvictsIdleKeysLosslessly(VirtualScheduler scheduler) {
    KeyedRateLimiter<String> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).build(),
            scheduler,
            2);
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    scheduler.advance(Duration.ofSeconds(2));
    limiter.tryAcquire("busy");
    assertThat(limiter.size()).isEqualTo(1);
    assertThat(limiter.tryAcquire("busy")).isFalse();
  }

  @Test
  void aNewKeyPastMaxKeysTakesTheRoomOfAnIdleKeyNotOfOneStillLimited(VirtualScheduler scheduler) {
    KeyedRateLimiter<String> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).build(),
            scheduler,
            2);
    assertThat(limiter.tryAcquire("idle")).isTrue();
    scheduler.advance(Duration.ofSeconds(2)); // "idle" has no debt left
    assertThat(limiter.tryAcquire("limited")).isTrue(); // in debt for 1 s
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.tryAcquire("limited")).isFalse(); // a key in regular use
    }

    assertThat(limiter.tryAcquire("new")).isTrue();
    assertThat(limiter.size()).isEqualTo(2);
    assertThat(limiter.tryAcquire("limited"))
        .as("the limited key kept its state: it is still refused")
        .isFalse();
  }

  @Test
  void keyedLimiterStaysWithinMaxKeysUnderAConcurrentFloodOfNewKeys(VirtualScheduler scheduler)
      throws Exception {
    int threads = 8;
    int keysPerThread = 25_000;
    int maxKeys = 10_000;
    KeyedRateLimiter<String> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).burst(3).build(),
            scheduler,
            maxKeys);
    AtomicInteger largest = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    // virtual time stands still: every key stays active, none is idle and free to drop
    Drive.concurrently(
        threads,
        t -> {
          for (int i = 0; i < keysPerThread; i++) {
            if (!limiter.tryAcquire("client-" + t + "-" + i)) {
              refused.incrementAndGet();
            }
            largest.accumulateAndGet(limiter.size(), Math::max);
          }
        });
    assertThat(refused.get()).as("a new key always has its full burst").isZero();
    assertThat(largest.get())
        .as("at most one key above the bound per thread adding one")
        .isLessThanOrEqualTo(maxKeys + threads);
    assertThat(limiter.size()).isLessThanOrEqualTo(maxKeys);
  }

  @Test
  void keyedLimiterCountsEveryKeyExactlyUnderConcurrency(VirtualScheduler scheduler)
      throws Exception {
    int threads = 8;
    int keys = 8_000;
    int burst = 3;
    KeyedRateLimiter<Integer> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).burst(burst).build(),
            scheduler,
            keys);
    AtomicIntegerArray granted = new AtomicIntegerArray(keys);
    // every thread asks every key twice, each from a different starting point, all at once
    Drive.concurrently(
        threads,
        t -> {
          for (int round = 0; round < 2; round++) {
            for (int i = 0; i < keys; i++) {
              int key = (i + t * keys / threads) % keys;
              if (limiter.tryAcquire(key)) {
                granted.incrementAndGet(key);
              }
            }
          }
        });
    for (int key = 0; key < keys; key++) {
      assertThat(granted.get(key)).as("permits granted to key %d", key).isEqualTo(burst);
      assertThat(limiter.availablePermits(key)).isZero();
    }
    assertThat(limiter.size()).isEqualTo(keys);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquire(0)).as("one interval later").isTrue();
    assertThat(limiter.tryAcquire(0)).isFalse();
  }

  @Test
  void aKnownKeyTakesItsPermitWithoutAllocating(VirtualScheduler scheduler) {
    KeyedRateLimiter<String> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1_000_000_000, Duration.ofSeconds(1)).build(),
            scheduler,
            100);
    String key = "tenant-1";
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int granted = 0;
    for (int i = 0; i < 50_000; i++) {
      scheduler.virtualClock().advanceNanos(1);
      granted += limiter.tryAcquire(key) ? 1 : 0;
    }
    int calls = 200_000;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < calls; i++) {
      scheduler.virtualClock().advanceNanos(1);
      granted += limiter.tryAcquire(key) ? 1 : 0;
    }
    long bytes = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(granted).isEqualTo(250_000);
    // a single allocation per call would be ≥ 16 B × 200 000 = 3.2 MB
    assertThat(bytes).isLessThan(64 * 1024);
  }

  @Test
  void builderNamesTheBadValue() {
    assertThatThrownBy(() -> RateLimiterConfig.builder().permits(0))
        .hasMessage("permits must be positive, was 0");
    assertThatThrownBy(() -> RateLimiterConfig.builder().period(Duration.ZERO))
        .hasMessage("period must be positive, was PT0S");
    assertThatThrownBy(
            () -> RateLimiterConfig.builder().rate(2_000_000, Duration.ofMillis(1)).build())
        .hasMessage(
            "permits 2000000 per PT0.001S is more than one per nanosecond; use a longer period");
  }

  /** 2 permits per second, no burst, calls wait up to {@code maxWait}. */
  private static RateLimiter twoPerSecondWaitingUpTo(Duration maxWait, VirtualScheduler scheduler) {
    return RateLimiter.of(
        "api",
        RateLimiterConfig.builder()
            .rate(2, Duration.ofSeconds(1))
            .burst(1)
            .maxWait(maxWait)
            .build(),
        scheduler);
  }
}
