package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualClock;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class RetryBudgetTest {

  @Test
  void grantsRatioOfRequests(VirtualClock clock, VirtualScheduler scheduler) {
    RetryBudget budget =
        RetryBudget.of(
            "b", RetryBudgetConfig.builder().ratio(0.2).minRetriesPerSecond(0).build(), scheduler);
    for (int i = 0; i < 4; i++) {
      budget.recordRequest();
    }
    assertThat(budget.tryAcquire()).isFalse();
    budget.recordRequest();
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isFalse();
  }

  @Test
  void minimumRateAccruesWithTime(VirtualClock clock, VirtualScheduler scheduler) {
    RetryBudget budget =
        RetryBudget.of(
            "b", RetryBudgetConfig.builder().ratio(0).minRetriesPerSecond(10).build(), scheduler);
    assertThat(budget.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(100));
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isFalse();
    clock.advance(Duration.ofMillis(300));
    assertThat(budget.available()).isEqualTo(3);
  }

  @Test
  void aQuietSpellCannotSaveUpMoreThanMaxBurst(VirtualClock clock, VirtualScheduler scheduler) {
    RetryBudget budget =
        RetryBudget.of(
            "b",
            RetryBudgetConfig.builder().ratio(0.5).minRetriesPerSecond(10).maxBurst(5).build(),
            scheduler);
    for (int i = 0; i < 1_000; i++) {
      budget.recordRequest();
    }
    clock.advance(Duration.ofHours(1));
    int granted = 0;
    while (budget.tryAcquire()) {
      granted++;
    }
    assertThat(granted).isEqualTo(5);
    for (int i = 0; i < 4; i++) {
      budget.recordRequest();
    }
    assertThat(budget.available()).isEqualTo(2);
  }

  @Test
  void neverExceededUnderManyThreads(VirtualClock clock, VirtualScheduler scheduler)
      throws Exception {
    double ratio = 0.2;
    double minPerSecond = 5;
    RetryBudget budget =
        RetryBudget.of(
            "shared",
            RetryBudgetConfig.builder()
                .ratio(ratio)
                .minRetriesPerSecond(minPerSecond)
                .maxBurst(20)
                .build(),
            scheduler);
    int threads = 8;
    int requestsEach = 20_000;
    AtomicLong violations = new AtomicLong();
    Drive.concurrently(
        threads,
        id -> {
          for (int i = 0; i < requestsEach; i++) {
            budget.recordRequest();
            budget.tryAcquire();
            budget.tryAcquire();
            if (id == 0 && i % 1000 == 0) {
              clock.advance(Duration.ofMillis(100));
            }
            long retries = budget.retries(); // read first: the rest only grows
            double seconds = clock.elapsed().toNanos() / 1e9;
            double allowed = ratio * budget.requests() + minPerSecond * seconds;
            if (retries > allowed + 1e-9) {
              violations.incrementAndGet();
            }
          }
        });
    double seconds = clock.elapsed().toNanos() / 1e9;
    long requests = (long) threads * requestsEach;
    assertThat(violations.get()).isZero();
    assertThat(budget.requests()).isEqualTo(requests);
    assertThat((double) budget.retries())
        .isLessThanOrEqualTo(ratio * requests + minPerSecond * seconds)
        .isGreaterThan(0.9 * (ratio * requests));
  }

  @Test
  void builderNamesTheBadValue() {
    assertThatThrownBy(() -> RetryBudgetConfig.builder().ratio(1.5))
        .hasMessage("ratio must be in [0, 1], was 1.5");
    assertThatThrownBy(() -> RetryBudgetConfig.builder().minRetriesPerSecond(-1))
        .hasMessage("minRetriesPerSecond must not be negative, was -1.0");
    assertThatThrownBy(() -> RetryBudgetConfig.builder().maxBurst(0))
        .hasMessage("maxBurst must be positive, was 0");
  }
}
