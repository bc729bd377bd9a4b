package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.error.RetriableException;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class HedgeTest {
  private final List<Integer> hedges = new CopyOnWriteArrayList<>();

  private Hedge hedge(HedgeConfig config, VirtualScheduler scheduler) {
    Hedge h = Hedge.of("h", config, scheduler);
    h.addListener(
        new ResilienceListener() {
          @Override
          public void onHedge(String policy, int attempt) {
            hedges.add(attempt);
          }
        });
    return h;
  }

  @Test
  void sendsABackupAfterTheDelayAndTheFirstSuccessWinsAndTheLoserIsCancelled(
      VirtualScheduler scheduler) throws Exception {
    Hedge h = hedge(HedgeConfig.builder().delay(Duration.ofMillis(50)).build(), scheduler);
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch loserInterrupted = new CountDownLatch(1);
    CompletableFuture<String> call =
        Pipeline.of(h)
            .submit(
                () -> {
                  if (attempts.incrementAndGet() == 1) {
                    try {
                      new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                      loserInterrupted.countDown();
                    }
                    return "primary";
                  }
                  return "backup";
                });
    Drive.untilPending(scheduler, 1);
    Drive.until(() -> attempts.get() == 1);
    scheduler.advance(Duration.ofMillis(49));
    assertThat(attempts.get()).isEqualTo(1);
    scheduler.advance(Duration.ofMillis(1));

    assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("backup");
    assertThat(loserInterrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(hedges).containsExactly(2);
  }

  @Test
  void sendsNoBackupWhenTheFirstAttemptIsFast(VirtualScheduler scheduler) {
    Hedge h = hedge(HedgeConfig.builder().delay(Duration.ofMillis(50)).build(), scheduler);
    assertThat(Pipeline.of(h).get(() -> "fast")).isEqualTo("fast");
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(hedges).isEmpty();
  }

  @Test
  void backupsAreBoundedByTheBudget(VirtualScheduler scheduler) throws Exception {
    RetryBudget budget =
        RetryBudget.of(
            "b", RetryBudgetConfig.builder().ratio(0.5).minRetriesPerSecond(0).build(), scheduler);
    Hedge h =
        hedge(HedgeConfig.builder().delay(Duration.ofMillis(10)).budget(budget).build(), scheduler);
    Pipeline p = Pipeline.of(h);
    for (int i = 0; i < 10; i++) {
      CountDownLatch slow = new CountDownLatch(1);
      AtomicInteger n = new AtomicInteger();
      CompletableFuture<String> call =
          p.submit(
              () -> {
                if (n.incrementAndGet() == 1) {
                  try {
                    slow.await();
                  } catch (InterruptedException ignored) {
                    // the loser
                  }
                  return "slow";
                }
                return "backup";
              });
      Drive.untilPending(scheduler, 1);
      scheduler.advance(Duration.ofMillis(10));
      slow.countDown();
      call.get(10, TimeUnit.SECONDS);
    }
    assertThat(budget.requests()).isEqualTo(10);
    assertThat(budget.retries()).isEqualTo(hedges.size()).isLessThanOrEqualTo(5);
  }

  @Test
  void failsWithTheLastFailureWhenEveryAttemptFails(VirtualScheduler scheduler) {
    Hedge h =
        hedge(HedgeConfig.builder().maxHedges(2).delay(Duration.ofMillis(10)).build(), scheduler);
    AtomicInteger n = new AtomicInteger();
    CompletableFuture<String> call =
        Pipeline.of(h)
            .submit(
                () -> {
                  throw new RetriableException("attempt " + n.incrementAndGet());
                });
    Drive.untilDone(scheduler, call);
    assertThat(call).isCompletedExceptionally();
    assertThat(n.get()).isEqualTo(3);
  }

  @Test
  void percentileDelayFollowsObservedLatency(VirtualScheduler scheduler) {
    Hedge h =
        hedge(
            HedgeConfig.builder()
                .percentile(90)
                .minSamples(20)
                .delay(Duration.ofSeconds(1))
                .build(),
            scheduler);
    assertThat(h.currentDelayNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
    Pipeline p = Pipeline.of(h);
    for (int i = 1; i <= 100; i++) {
      CompletableFuture<String> primary = new CompletableFuture<>();
      AtomicInteger launches = new AtomicInteger();
      CompletableFuture<String> result =
          p.stage(() -> launches.incrementAndGet() == 1 ? primary : new CompletableFuture<>());
      scheduler.advance(Duration.ofMillis(i));
      primary.complete("ok");
      assertThat(result).isCompletedWithValue("ok");
    }
    // recomputed every 16 samples: the last time over samples of 1..96 ms, p90 = the 87th
    assertThat(h.currentDelayNanos()).isEqualTo(Duration.ofMillis(87).toNanos());
    assertThat(hedges).isNotEmpty();
  }

  @Test
  void concurrentHedgedCallsStayWithinTheSharedBudget(VirtualScheduler scheduler) throws Exception {
    RetryBudget budget =
        RetryBudget.of(
            "b", RetryBudgetConfig.builder().ratio(0.25).minRetriesPerSecond(0).build(), scheduler);
    Hedge h =
        hedge(HedgeConfig.builder().delay(Duration.ofMillis(10)).budget(budget).build(), scheduler);
    Pipeline p = Pipeline.of(h);
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(
          p.submit(
              () -> {
                release.await();
                return "done";
              }));
    }
    Drive.until(() -> scheduler.pendingTasks() == 40);
    scheduler.advance(Duration.ofMillis(10));
    release.countDown();
    for (CompletableFuture<String> c : calls) {
      assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    }
    assertThat(budget.requests()).isEqualTo(40);
    assertThat(budget.retries()).isEqualTo(10).isEqualTo(hedges.size());
  }
}
