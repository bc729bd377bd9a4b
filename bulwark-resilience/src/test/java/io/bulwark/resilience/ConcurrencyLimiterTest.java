package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Criticality;
import io.bulwark.resilience.limit.AimdLimit;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class ConcurrencyLimiterTest {

  private static ConcurrencyLimiter fixedLimit(int limit, VirtualScheduler scheduler) {
    // AIMD with min = max = limit: a fixed limit, so the test controls pressure exactly
    return ConcurrencyLimiter.of(
        "svc",
        ConcurrencyLimiterConfig.builder()
            .algorithm(new AimdLimit(limit, limit, limit, 0.9, Duration.ofSeconds(5)))
            .build(),
        scheduler.clock());
  }

  @Test
  void shedsSheddableFirstAndCriticalPlusLast(VirtualScheduler scheduler) throws Exception {
    ConcurrencyLimiter limiter = fixedLimit(10, scheduler);
    Pipeline p = Pipeline.of(limiter);
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<String>> holders = new ArrayList<>();
    Map<Criticality, Integer> firstRejectedAt = new EnumMap<>(Criticality.class);
    for (int inflight = 0; inflight < 10; inflight++) {
      for (Criticality c : Criticality.values()) {
        if (!firstRejectedAt.containsKey(c) && !admits(p, c)) {
          firstRejectedAt.put(c, inflight);
        }
      }
      holders.add(
          Context.root()
              .withCriticality(Criticality.CRITICAL_PLUS)
              .call(
                  () ->
                      p.submit(
                          () -> {
                            release.await();
                            return "held";
                          })));
      int expected = inflight + 1;
      Drive.until(() -> limiter.inflight() == expected);
    }
    for (Criticality c : Criticality.values()) {
      firstRejectedAt.putIfAbsent(c, 10);
    }
    release.countDown();
    for (CompletableFuture<String> h : holders) {
      h.get(10, TimeUnit.SECONDS);
    }

    assertThat(firstRejectedAt)
        .containsEntry(Criticality.SHEDDABLE, 5)
        .containsEntry(Criticality.SHEDDABLE_PLUS, 7)
        .containsEntry(Criticality.CRITICAL, 9)
        .containsEntry(Criticality.CRITICAL_PLUS, 10);
    assertThat(limiter.inflight()).isZero();
  }

  private static boolean admits(Pipeline p, Criticality c) throws Exception {
    try {
      Context.root().withCriticality(c).call(() -> p.get(() -> "probe"));
      return true;
    } catch (PolicyRejectedException e) {
      assertThat(e.rejection()).isEqualTo(Rejection.CONCURRENCY_LIMIT);
      return false;
    }
  }

  @Test
  void limitAdaptsFromSamplesAndReportsChanges(VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "svc",
            ConcurrencyLimiterConfig.builder()
                .algorithm(new AimdLimit(10, 1, 100, 0.5, Duration.ofSeconds(1)))
                .build(),
            scheduler.clock());
    List<String> changes = new ArrayList<>();
    limiter.addListener(
        new ResilienceListener() {
          @Override
          public void onLimitChanged(String name, int oldLimit, int newLimit) {
            changes.add(oldLimit + "->" + newLimit);
          }
        });
    Pipeline p = Pipeline.of(limiter);
    p.get(
        () -> {
          scheduler.virtualClock().advance(Duration.ofSeconds(2));
          return "slow";
        });
    assertThat(limiter.limit()).isEqualTo(5);
    assertThat(changes).containsExactly("10->5");
  }

  @Test
  void inflightNeverExceedsTheLimitUnderManyThreads(VirtualScheduler scheduler) throws Exception {
    ConcurrencyLimiter limiter = fixedLimit(3, scheduler);
    Pipeline p = Pipeline.of(limiter);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    Drive.concurrently(
        12,
        t -> {
          for (int i = 0; i < 3_000; i++) {
            try {
              Context.root()
                  .withCriticality(Criticality.CRITICAL_PLUS)
                  .run(
                      () ->
                          p.run(
                              () -> {
                                admitted.incrementAndGet();
                                maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                                Thread.yield();
                                running.decrementAndGet();
                              }));
            } catch (PolicyRejectedException expected) {
              // over the limit: rejected, as it should be
            }
          }
        });
    assertThat(maxSeen.get()).isLessThanOrEqualTo(3);
    assertThat(admitted.get()).isGreaterThan(0);
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void permitsAdmitByCriticalityOutsideAPipelineAndFeedTheAlgorithm(VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "front-door",
            ConcurrencyLimiterConfig.builder()
                .algorithm(new AimdLimit(10, 2, 20, 0.5, Duration.ofSeconds(5)))
                .build(),
            scheduler.clock());
    List<String> events = new ArrayList<>();
    limiter.addListener(
        new ResilienceListener() {
          @Override
          public void onRejected(String policy, Rejection rejection) {
            events.add("rejected " + rejection);
          }

          @Override
          public void onLimitChanged(String policy, int from, int to) {
            events.add("limit " + from + " -> " + to);
          }
        });
    List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ConcurrencyLimiter.Permit permit = limiter.tryAcquire(Criticality.SHEDDABLE);
      assertThat(permit).as("sheddable call %d", i).isNotNull();
      held.add(permit);
    }
    assertThat(limiter.tryAcquire(Criticality.SHEDDABLE)).as("sheddable share is full").isNull();
    assertThat(events).containsExactly("rejected CONCURRENCY_LIMIT");
    ConcurrencyLimiter.Permit critical = limiter.tryAcquire(Criticality.CRITICAL);
    assertThat(critical).isNotNull();
    assertThat(limiter.inflight()).isEqualTo(6);

    scheduler.advance(Duration.ofSeconds(6)); // longer than the algorithm's timeout: a drop
    critical.release(false);
    critical.release(false);
    assertThat(limiter.inflight()).as("a second release has no effect").isEqualTo(5);
    assertThat(events).endsWith("limit 10 -> 5");
    held.get(0).release(true);
    assertThat(limiter.inflight()).isEqualTo(4);
    assertThat(limiter.limit()).isEqualTo(2);
  }

  @Test
  void sharesMustNotGrowAsCriticalityFalls() {
    assertThatThrownBy(
            () -> ConcurrencyLimiterConfig.builder().share(Criticality.SHEDDABLE, 1.0).build())
        .hasMessageContaining("shares must not grow as criticality falls")
        .hasMessageContaining("sheddable=1.0");
    assertThatThrownBy(() -> ConcurrencyLimiterConfig.builder().share(Criticality.CRITICAL, 0))
        .hasMessage("CRITICAL share must be in (0, 1], was 0.0");
  }
}
