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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class CircuitBreakerTest {
  private final List<Transition> transitions = new CopyOnWriteArrayList<>();

  private CircuitBreaker breaker(CircuitBreakerConfig config, VirtualScheduler scheduler) {
    CircuitBreaker cb = CircuitBreaker.of("payments", config, scheduler);
    cb.addListener(
        new ResilienceListener() {
          @Override
          public void onStateTransition(String name, Transition t) {
            transitions.add(t);
          }
        });
    return cb;
  }

  private static CircuitBreakerConfig.Builder tenCalls() {
    return CircuitBreakerConfig.builder()
        .countBasedWindow(10)
        .minimumCalls(10)
        .failureRateThreshold(50)
        .waitInOpen(Duration.ofSeconds(30))
        .halfOpenPermits(3);
  }

  private static void succeed(Pipeline p) {
    p.get(() -> "ok");
  }

  private static void fail(Pipeline p) {
    assertThatThrownBy(
            () ->
                p.get(
                    () -> {
                      throw new UncheckedIOException(new IOException("boom"));
                    }))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void opensWhenFailureRateReachesThresholdWithReason(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 5; i++) {
      succeed(p);
    }
    for (int i = 0; i < 4; i++) {
      fail(p);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    fail(p);

    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions).hasSize(1);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 50.0% over the last 10 calls ≥ 50.0%");
    assertThat(transitions.getFirst().from()).isEqualTo(State.CLOSED);
  }

  @Test
  void staysClosedBelowMinimumCallsEvenIfAllFail(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 9; i++) {
      fail(p);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    assertThat(cb.metrics().failures()).isEqualTo(9);
  }

  @Test
  void slidingCountWindowForgetsOldFailures(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 4; i++) {
      fail(p);
    }
    for (int i = 0; i < 16; i++) {
      succeed(p);
    }
    assertThat(cb.metrics()).isEqualTo(new CircuitBreaker.Metrics(10, 0, 0));
    for (int i = 0; i < 4; i++) {
      fail(p);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void rejectsWithoutCallingWhileOpen(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    cb.forceOpen();
    int[] calls = {0};
    assertThatThrownBy(() -> Pipeline.of(cb).get(() -> calls[0]++))
        .isInstanceOf(PolicyRejectedException.class)
        .hasMessage("circuit breaker 'payments' is open")
        .extracting(e -> ((PolicyRejectedException) e).rejection())
        .isEqualTo(Rejection.CIRCUIT_OPEN);
    assertThat(calls[0]).isZero();
  }

  @Test
  void opensOnSlowCallRate(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().slowCalls(60, Duration.ofSeconds(2)).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 4; i++) {
      succeed(p);
    }
    for (int i = 0; i < 6; i++) {
      p.get(
          () -> {
            scheduler.virtualClock().advance(Duration.ofSeconds(2));
            return "slow";
          });
    }
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("slow-call rate 60.0% (calls ≥ PT2S) over the last 10 calls ≥ 60.0%");
  }

  @Test
  void timeBasedWindowDropsBucketsOlderThanTheWindow(VirtualScheduler scheduler) {
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
    fail(p);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(cb.metrics().calls()).isZero();
    fail(p);
    succeed(p);
    succeed(p);
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    succeed(p);
    scheduler.advance(Duration.ofSeconds(5));
    fail(p);
    fail(p);
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 50.0% over the last 10s (6 calls) ≥ 50.0%");
  }

  @Test
  void goesHalfOpenAfterWaitAndClosesWhenProbesSucceed(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 10; i++) {
      fail(p);
    }
    scheduler.advance(Duration.ofSeconds(29));
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(cb.tryAcquirePermission()).isFalse();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    succeed(p);
    succeed(p);
    succeed(p);

    assertThat(cb.state()).isEqualTo(State.CLOSED);
    assertThat(transitions)
        .extracting(Transition::to)
        .containsExactly(State.OPEN, State.HALF_OPEN, State.CLOSED);
    assertThat(transitions.get(1).reason()).isEqualTo("waited PT30S in OPEN");
    assertThat(transitions.get(2).reason()).isEqualTo("3 probe calls: failure rate 0.0% < 50.0%");
    assertThat(transitions.get(1).atNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
  }

  @Test
  void halfOpenAdmitsOnlyItsProbePermits(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    cb.forceOpen();
    cb.reset();
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 10; i++) {
      fail(p);
    }
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).isTrue();
    assertThat(cb.tryAcquirePermission()).isFalse();
  }

  @Test
  void halfOpenReopensWhenProbesFail(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 10; i++) {
      fail(p);
    }
    scheduler.advance(Duration.ofSeconds(30));
    succeed(p);
    fail(p);
    fail(p);
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getLast().reason())
        .isEqualTo("failure rate 66.7% over 3 probe calls ≥ 50.0%");
  }

  @Test
  void halfOpenReopensWhenProbesTakeLongerThanMaxWait(VirtualScheduler scheduler) {
    CircuitBreaker cb =
        breaker(tenCalls().maxWaitInHalfOpen(Duration.ofSeconds(5)).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 10; i++) {
      fail(p);
    }
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(cb.tryAcquirePermission()).isTrue();
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(cb.tryAcquirePermission()).isFalse();
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getLast().reason())
        .isEqualTo("only 0 of 3 probe calls finished within maxWaitInHalfOpen PT5S");
  }

  @Test
  void operatorCanForceOpenDisableAndReset(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    cb.forceOpen();
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(cb.state()).isEqualTo(State.FORCED_OPEN);
    assertThat(cb.tryAcquirePermission()).isFalse();
    cb.disable();
    for (int i = 0; i < 20; i++) {
      fail(p);
    }
    assertThat(cb.state()).isEqualTo(State.DISABLED);
    cb.reset();
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    assertThat(cb.metrics().calls()).isZero();
    assertThat(transitions)
        .extracting(Transition::reason)
        .containsExactly(
            "forced open by an operator", "disabled by an operator", "reset by an operator");
  }

  @Test
  void failurePredicateDecidesWhatCounts(VirtualScheduler scheduler) {
    CircuitBreaker cb =
        breaker(
            tenCalls().failurePredicate(t -> !(t instanceof IllegalArgumentException)).build(),
            scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(
              () ->
                  p.get(
                      () -> {
                        throw new IllegalArgumentException("caller's fault");
                      }))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    assertThat(cb.metrics().failures()).isZero();
    assertThat(cb.metrics().calls()).isEqualTo(10);
  }

  @Test
  void rejectionsFromInnerPoliciesDoNotCountByDefault(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Bulkhead full = Bulkhead.of("bh", 1);
    assertThat(full.tryAcquire()).isTrue();
    Pipeline p = Pipeline.of(cb, full);
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> succeed(p)).isInstanceOf(PolicyRejectedException.class);
    }
    assertThat(cb.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void builderNamesTheBadValue() {
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().failureRateThreshold(150))
        .hasMessage("failureRateThreshold must be in (0, 100] percent, was 150.0");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().countBasedWindow(0))
        .hasMessage("windowSize must be positive, was 0");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().waitInOpen(Duration.ofSeconds(-1)))
        .hasMessage("waitInOpen must be positive, was PT-1S");
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().halfOpenPermits(-3))
        .hasMessage("halfOpenPermits must be positive, was -3");
    assertThatThrownBy(() -> CircuitBreaker.of(" ", CircuitBreakerConfig.ofDefaults()))
        .hasMessage("name must not be blank, was \" \"");
  }

  @Test
  void halfOpenAdmitsExactlyItsPermitsWhenManyThreadsRace(VirtualScheduler scheduler)
      throws Exception {
    for (int round = 0; round < 20; round++) {
      CircuitBreaker cb =
          CircuitBreaker.of("race", tenCalls().halfOpenPermits(5).build(), scheduler);
      Pipeline p = Pipeline.of(cb);
      for (int i = 0; i < 10; i++) {
        fail(p);
      }
      scheduler.advance(Duration.ofSeconds(30));
      AtomicInteger admitted = new AtomicInteger();
      Drive.concurrently(
          8,
          t -> {
            for (int i = 0; i < 10; i++) {
              if (cb.tryAcquirePermission()) {
                admitted.incrementAndGet();
              }
            }
          });
      assertThat(admitted.get()).isEqualTo(5);
      assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    }
  }

  @Test
  void opensExactlyOnceWhenManyThreadsFailTogether(VirtualScheduler scheduler) throws Exception {
    CircuitBreaker cb = breaker(tenCalls().build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    AtomicInteger failedThrough = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    Drive.concurrently(
        8,
        t -> {
          for (int i = 0; i < 1_000; i++) {
            try {
              p.get(
                  () -> {
                    throw new UncheckedIOException(new IOException("boom"));
                  });
              unexpected.add(new AssertionError("a failing call returned normally"));
            } catch (UncheckedIOException failedBeforeOpening) {
              failedThrough.incrementAndGet();
            } catch (PolicyRejectedException rejectedOnceOpen) {
              rejected.incrementAndGet();
            } catch (RuntimeException other) {
              unexpected.add(other);
            }
          }
        });
    assertThat(unexpected).isEmpty();
    assertThat(failedThrough.get() + rejected.get()).isEqualTo(8 * 1_000);
    // it cannot open before the window holds 10 calls, all of which failed through; once it is
    // open, each thread's remaining calls are rejected
    assertThat(failedThrough.get()).isGreaterThanOrEqualTo(10);
    assertThat(rejected.get()).isPositive();
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions).extracting(Transition::to).containsExactly(State.OPEN);
  }
}
