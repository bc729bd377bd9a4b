package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
    RateLimiter limiter =
        RateLimiter.of(
            "api",
            RateLimiterConfig.builder()
                .rate(2, Duration.ofSeconds(1))
                .burst(1)
                .maxWait(Duration.ofMillis(600))
                .build(),
            scheduler);
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
    int permits = 50;
    int burst = 10;
    RateLimiter limiter =
        RateLimiter.of(
            "api",
            RateLimiterConfig.builder().rate(permits, Duration.ofSeconds(1)).burst(burst).build(),
            scheduler);
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
    List<Long> times = new ArrayList<>(admitted);
    Collections.sort(times);
    long interval = Duration.ofSeconds(1).toNanos() / permits;
    for (int i = 0; i < times.size(); i++) {
      for (int j = i; j < times.size(); j++) {
        long window = times.get(j) - times.get(i);
        long allowed = burst + window / interval;
        assertThat((long) (j - i + 1))
            .as("permits in [%d, %d]", times.get(i), times.get(j))
            .isLessThanOrEqualTo(allowed);
      }
    }
    double seconds = steps * stepNanos / 1e9;
    assertThat(times.size()).isGreaterThan((int) (0.9 * permits * seconds));
  }

  @Test
  void keyedLimiterKeepsOneLimitPerKeyWithBoundedMemory(VirtualScheduler scheduler) {
    KeyedRateLimiter<String> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).build(),
            scheduler.clock(),
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
  void keyedLimiterEvictsIdleKeysLosslessly(VirtualScheduler scheduler) {
    KeyedRateLimiter<String> limiter =
        RateLimiter.keyed(
            "per-client",
            RateLimiterConfig.builder().rate(1, Duration.ofSeconds(1)).build(),
            scheduler.clock(),
            2);
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    scheduler.advance(Duration.ofSeconds(2));
    limiter.tryAcquire("busy");
    assertThat(limiter.size()).isEqualTo(1);
    assertThat(limiter.tryAcquire("busy")).isFalse();
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
}
