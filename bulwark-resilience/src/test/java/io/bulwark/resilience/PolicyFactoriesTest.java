package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every policy has {@code of(name, config, scheduler)} and {@code ofDefaults(name, scheduler)}. */
@ExtendWith(VirtualTimeExtension.class)
class PolicyFactoriesTest {

  @Test
  void ofDefaultsUsesTheBuildersDefaultsAndTheName(VirtualScheduler s) {
    assertThat(CircuitBreaker.ofDefaults("cb", s).config())
        .isEqualTo(CircuitBreakerConfig.ofDefaults());
    assertThat(Retry.ofDefaults("r", s).config()).isEqualTo(RetryConfig.builder().build());
    assertThat(Bulkhead.ofDefaults("b", s).config()).isEqualTo(BulkheadConfig.builder().build());
    assertThat(RateLimiter.ofDefaults("rl", s).config())
        .isEqualTo(RateLimiterConfig.builder().build());
    assertThat(Hedge.ofDefaults("h", s).config()).isEqualTo(HedgeConfig.builder().build());
    assertThat(AdaptiveThrottle.ofDefaults("t", s).config())
        .isEqualTo(AdaptiveThrottleConfig.builder().build());
    assertThat(ConcurrencyLimiter.ofDefaults("l", s).config())
        .isEqualTo(ConcurrencyLimiterConfig.builder().build());
    assertThat(RetryBudget.ofDefaults("budget", s).name()).isEqualTo("budget");
    assertThat(CircuitBreaker.ofDefaults("cb", s).name()).isEqualTo("cb");
    assertThat(ConcurrencyLimiter.ofDefaults("l", s).name()).isEqualTo("l");
  }

  @Test
  void aBreakerMadeWithASchedulerWaitsInOpenOnItsVirtualClock(VirtualScheduler s) {
    CircuitBreaker cb =
        CircuitBreaker.of(
            "cb",
            CircuitBreakerConfig.builder()
                .countBasedWindow(2)
                .minimumCalls(2)
                .waitInOpen(Duration.ofSeconds(10))
                .build(),
            s);
    for (int i = 0; i < 2; i++) {
      assertThat(cb.tryAcquirePermission()).isTrue();
      cb.onResult(1_000, new IllegalStateException("down"));
    }
    assertThat(cb.state()).isEqualTo(CircuitBreaker.State.OPEN);
    s.advance(Duration.ofSeconds(9));
    assertThat(cb.state()).isEqualTo(CircuitBreaker.State.OPEN);
    s.advance(Duration.ofSeconds(1));
    assertThat(cb.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  @Test
  void aBudgetMadeWithASchedulerRefillsOnItsVirtualClock(VirtualScheduler s) {
    RetryBudget budget =
        RetryBudget.of(
            "b",
            RetryBudgetConfig.builder().ratio(0).minRetriesPerSecond(1).maxBurst(1).build(),
            s);
    assertThat(budget.tryAcquire()).isFalse();
    s.advance(Duration.ofMillis(999));
    assertThat(budget.tryAcquire()).isFalse();
    s.advance(Duration.ofMillis(1));
    assertThat(budget.tryAcquire()).isTrue();
    assertThat(budget.tryAcquire()).isFalse();
  }
}
