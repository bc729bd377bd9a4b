package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

  private static final Map<Class<?>, Class<?>> POLICIES =
      Map.of(
          CircuitBreaker.class, CircuitBreakerConfig.class,
          Retry.class, RetryConfig.class,
          Bulkhead.class, BulkheadConfig.class,
          RateLimiter.class, RateLimiterConfig.class,
          Hedge.class, HedgeConfig.class,
          AdaptiveThrottle.class, AdaptiveThrottleConfig.class,
          ConcurrencyLimiter.class, ConcurrencyLimiterConfig.class,
          RetryBudget.class, RetryBudgetConfig.class);

  @Test
  void everyPolicyHasTheTwoSchedulerFactories() throws Exception {
    for (var e : POLICIES.entrySet()) {
      Method of = e.getKey().getMethod("of", String.class, e.getValue(), Scheduler.class);
      Method ofDefaults = e.getKey().getMethod("ofDefaults", String.class, Scheduler.class);
      for (Method m : List.of(of, ofDefaults)) {
        assertThat(Modifier.isStatic(m.getModifiers())).as(m.toString()).isTrue();
        assertThat(m.getReturnType()).as(m.toString()).isEqualTo(e.getKey());
      }
    }
    assertThat(Timeout.class.getMethod("of", String.class, TimeoutConfig.class, Scheduler.class))
        .isNotNull();
  }

  @Test
  void noPublicFactoryTakesABareClock() {
    List<String> clockTaking = new ArrayList<>();
    List<Class<?>> types = new ArrayList<>(POLICIES.keySet());
    types.add(Timeout.class);
    types.add(Fallback.class);
    for (Class<?> type : types) {
      for (Method m : type.getMethods()) {
        if (Modifier.isStatic(m.getModifiers())
            && Arrays.asList(m.getParameterTypes()).contains(Clock.class)) {
          clockTaking.add(m.toString());
        }
      }
    }
    assertThat(clockTaking).isEmpty();
  }
}
