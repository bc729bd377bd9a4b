package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.resilience.CircuitBreaker.State;
import io.bulwark.resilience.CircuitBreaker.Transition;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How each kind of outcome is recorded: the threshold rule after every call, whatever it was. */
@ExtendWith(VirtualTimeExtension.class)
class CircuitBreakerOutcomeTest {
  private final List<Transition> transitions = new CopyOnWriteArrayList<>();

  private CircuitBreaker breaker(CircuitBreakerConfig config, VirtualScheduler scheduler) {
    CircuitBreaker cb = CircuitBreaker.of("payments", config, scheduler.clock());
    cb.addListener(
        new ResilienceListener() {
          @Override
          public void onStateTransition(String name, Transition t) {
            transitions.add(t);
          }
        });
    return cb;
  }

  private static CircuitBreakerConfig.Builder calls(int window, int minimum) {
    return CircuitBreakerConfig.builder()
        .countBasedWindow(window)
        .minimumCalls(minimum)
        .failureRateThreshold(50)
        .waitInOpen(Duration.ofSeconds(30))
        .halfOpenPermits(3);
  }

  static void succeed(Pipeline p) {
    p.get(() -> "ok");
  }

  static void fail(Pipeline p) {
    assertThatThrownBy(
            () ->
                p.get(
                    () -> {
                      throw new UncheckedIOException(new IOException("boom"));
                    }))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void opensWhenSuccessCompletesWindowAtThreshold(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(10, 10).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 5; i++) {
      fail(p);
    }
    for (int i = 0; i < 4; i++) {
      succeed(p);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    succeed(p);

    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 50.0% over the last 10 calls ≥ 50.0%");
  }

  @Test
  void opensWhenSuccessReachesMinimumCallsAboveThreshold(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(100, 20).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 19; i++) {
      fail(p);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    succeed(p);

    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 95.0% over the last 20 calls ≥ 50.0%");
  }

  @Test
  void staysClosedWhenSuccessKeepsRateBelowThreshold(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(10, 10).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 4; i++) {
      fail(p);
    }
    for (int i = 0; i < 30; i++) {
      succeed(p);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    assertThat(transitions).isEmpty();
  }

  @Test
  void opensWhenSuccessReachesMinimumCallsOfTimeWindow(VirtualScheduler scheduler) {
    CircuitBreaker cb =
        breaker(
            CircuitBreakerConfig.builder()
                .timeBasedWindow(10)
                .minimumCalls(4)
                .failureRateThreshold(50)
                .build(),
            scheduler);
    Pipeline p = Pipeline.of(cb);
    fail(p);
    fail(p);
    succeed(p);
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    scheduler.advance(Duration.ofSeconds(3));
    succeed(p);

    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 50.0% over the last 10s (4 calls) ≥ 50.0%");
  }

  @Test
  void opensWhenFastSuccessCompletesWindowAtSlowCallThreshold(VirtualScheduler scheduler) {
    CircuitBreaker cb =
        breaker(calls(4, 4).slowCalls(50, Duration.ofSeconds(1)).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 2; i++) {
      p.get(
          () -> {
            scheduler.virtualClock().advance(Duration.ofSeconds(1));
            return "slow";
          });
    }
    succeed(p);
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    succeed(p);

    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("slow-call rate 50.0% (calls ≥ PT1S) over the last 4 calls ≥ 50.0%");
  }
}
