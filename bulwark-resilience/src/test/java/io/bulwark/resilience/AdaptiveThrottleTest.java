package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.core.error.RejectedException;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class AdaptiveThrottleTest {

  /** What a backend says when it sheds load. */
  static final class Overloaded extends RejectedException {
    Overloaded() {
      super("backend overloaded");
    }

    @Override
    public boolean isRetriable() {
      return true;
    }

    @Override
    public String reason() {
      return "overloaded";
    }
  }

  private static AdaptiveThrottle throttle(VirtualScheduler scheduler, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return new DefaultAdaptiveThrottle(
        "backend",
        AdaptiveThrottleConfig.builder().k(2).window(Duration.ofSeconds(10)).build(),
        scheduler.clock(),
        random::nextDouble);
  }

  @Test
  void neverThrottlesAHealthyBackend(VirtualScheduler scheduler) {
    AdaptiveThrottle throttle = throttle(scheduler, 1);
    Pipeline p = Pipeline.of(throttle);
    for (int i = 0; i < 1_000; i++) {
      assertThat(p.get(() -> "ok")).isEqualTo("ok");
    }
    assertThat(throttle.rejectionProbability()).isZero();
  }

  @Test
  void dropsLocallyWithTheSreProbabilityWhenTheBackendRejects(VirtualScheduler scheduler) {
    AdaptiveThrottle throttle = throttle(scheduler, 7);
    Pipeline p = Pipeline.of(throttle);
    int sent = 0;
    int throttled = 0;
    for (int i = 0; i < 100; i++) {
      p.get(() -> "ok");
    }
    for (int i = 0; i < 2_000; i++) {
      try {
        p.get(
            () -> {
              throw new Overloaded();
            });
      } catch (PolicyRejectedException e) {
        assertThat(e.rejection()).isEqualTo(Rejection.THROTTLED);
        throttled++;
      } catch (Overloaded e) {
        sent++;
      }
    }
    // 2100 requests, 100 accepts: p = (2100 - 200) / 2101
    assertThat(throttle.rejectionProbability()).isCloseTo(1900.0 / 2101, within(1e-9));
    assertThat(throttled).isGreaterThan(1_000);
    assertThat(sent + 100).isGreaterThanOrEqualTo(200);
  }

  @Test
  void forgetsRequestsOlderThanTheWindow(VirtualScheduler scheduler) {
    AdaptiveThrottle throttle = throttle(scheduler, 3);
    Pipeline p = Pipeline.of(throttle);
    for (int i = 0; i < 50; i++) {
      assertThatThrownBy(
              () ->
                  p.get(
                      () -> {
                        throw new Overloaded();
                      }))
          .isInstanceOf(RejectedException.class);
    }
    assertThat(throttle.rejectionProbability()).isGreaterThan(0.9);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(throttle.rejectionProbability()).isZero();
  }

  @Test
  void builderNamesTheBadValue() {
    assertThatThrownBy(() -> AdaptiveThrottleConfig.builder().k(0.5))
        .hasMessage("k must be at least 1.0, was 0.5");
    assertThatThrownBy(
            () -> AdaptiveThrottleConfig.builder().window(Duration.ofMillis(1500)).build())
        .hasMessage("window must be whole seconds (≥ 1s), was PT1.5S");
  }

  @Test
  void manyThreadsAgainstAHealthyBackendAreNeverThrottled(VirtualScheduler scheduler)
      throws Exception {
    AdaptiveThrottle throttle =
        AdaptiveThrottle.of("backend", AdaptiveThrottleConfig.builder().build(), scheduler);
    Pipeline p = Pipeline.of(throttle);
    int threads = 8;
    AtomicInteger ok = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    try (var pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    p.get(() -> "ok");
                    ok.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    assertThat(ok.get()).isEqualTo(threads * 5_000);
    assertThat(throttle.rejectionProbability()).isZero();
  }
}
