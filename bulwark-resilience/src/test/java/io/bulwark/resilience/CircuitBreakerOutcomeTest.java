package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.resilience.CircuitBreaker.State;
import io.bulwark.resilience.CircuitBreaker.Transition;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How each kind of outcome is recorded: the threshold rule after every call, whatever it was. */
@ExtendWith(VirtualTimeExtension.class)
class CircuitBreakerOutcomeTest {
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

  private void openThenWait(CircuitBreaker cb, VirtualScheduler scheduler) {
    Pipeline alone = Pipeline.of(cb);
    for (int i = 0; i < 10; i++) {
      fail(alone);
    }
    assertThat(cb.state()).isEqualTo(State.OPEN);
    scheduler.advance(Duration.ofSeconds(30));
  }

  @Test
  void probesRejectedByFullBulkheadBelowNeitherCloseNorUseUpProbePermits(
      VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(10, 10).build(), scheduler);
    openThenWait(cb, scheduler);
    Bulkhead bulkhead = Bulkhead.of("bh", 1);
    assertThat(bulkhead.tryAcquire()).isTrue();
    Pipeline p = Pipeline.of(cb, bulkhead);
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> succeed(p))
          .isInstanceOfSatisfying(
              PolicyRejectedException.class,
              e -> assertThat(e.rejection()).isEqualTo(Rejection.BULKHEAD_FULL));
    }
    assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    assertThat(cb.metrics().calls()).isZero();

    bulkhead.release();
    succeed(p);
    succeed(p);
    assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    succeed(p);
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    assertThat(transitions.getLast().reason())
        .isEqualTo("3 probe calls: failure rate 0.0% < 50.0%");
  }

  @Test
  void opensAboveRateLimiterWhenEveryCallThatPassedFailed(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(10, 10).build(), scheduler);
    RateLimiter limiter =
        RateLimiter.of(
            "rl", RateLimiter.builder().rate(1, Duration.ofSeconds(1)).burst(1).build(), scheduler);
    Pipeline p = Pipeline.of(cb, limiter);
    for (int second = 0; second < 10; second++) {
      assertThat(cb.state()).isEqualTo(State.CLOSED);
      fail(p);
      for (int i = 0; i < 9; i++) {
        assertThatThrownBy(() -> succeed(p)).isInstanceOf(PolicyRejectedException.class);
      }
      scheduler.advance(Duration.ofSeconds(1));
    }
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 100.0% over the last 10 calls ≥ 50.0%");
  }

  @Test
  void callStoppedByPipelineDeadlineCountsAsFailure(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(2, 2).build(), scheduler);
    Pipeline p =
        Pipeline.builder()
            .with(cb, Timeout.of("to", Duration.ofSeconds(1), scheduler))
            .deadline(Duration.ofMillis(50))
            .clock(scheduler.clock())
            .build();
    for (int i = 0; i < 2; i++) {
      CompletableFuture<String> call = p.stage(CompletableFuture::new);
      scheduler.advance(Duration.ofMillis(50));
      assertThat(call).isCompletedExceptionally();
      assertThatThrownBy(call::join).hasCauseInstanceOf(DeadlineExceededException.class);
    }
    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 100.0% over the last 2 calls ≥ 50.0%");
  }

  @Test
  void blockingCallStoppedByDeadlineCountsAsFailure(VirtualScheduler scheduler) throws Exception {
    CircuitBreaker cb = breaker(calls(1, 1).build(), scheduler);
    Pipeline p =
        Pipeline.builder()
            .with(cb, Timeout.of("to", Duration.ofSeconds(1), scheduler))
            .deadline(Duration.ofMillis(50))
            .clock(scheduler.clock())
            .build();
    CompletableFuture<String> call =
        p.submit(
            () -> {
              new CountDownLatch(1).await();
              return "never";
            });
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofMillis(50));
    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DeadlineExceededException.class);
    assertThat(cb.state()).isEqualTo(State.OPEN);
  }

  @Test
  void deadlineThatPassedBeforeTheCallIsNotRecorded(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(1, 1).build(), scheduler);
    CircuitBreaker.Permit permit = cb.tryAcquirePermit();
    assertThat(permit).isNotNull();
    permit.onResult(0, new DeadlineExceededException("deadline passed before the call"));
    assertThat(cb.metrics().calls()).isZero();
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    CircuitBreaker.Permit running = cb.tryAcquirePermit();
    assertThat(running).isNotNull();
    running.onResult(0, DeadlineExceededException.duringCall("deadline passed while calling"));
    assertThat(cb.state()).isEqualTo(State.OPEN);
  }

  @Test
  void lateResultOfCallAdmittedWhileClosedIsNotTakenForAProbe(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(10, 10).halfOpenPermits(1).build(), scheduler);
    CircuitBreaker.Permit slowCall = cb.tryAcquirePermit();
    assertThat(slowCall).isNotNull();
    openThenWait(cb, scheduler);
    CircuitBreaker.Permit probe = cb.tryAcquirePermit();
    assertThat(probe).isNotNull();
    slowCall.onResult(0, null);
    assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    probe.onResult(0, new IOException("still down"));
    assertThat(cb.state()).isEqualTo(State.OPEN);
  }

  @Test
  void lateManualResultWithNoProbeOutIsNotTakenForAProbe(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(10, 10).halfOpenPermits(1).build(), scheduler);
    assertThat(cb.tryAcquirePermission()).isTrue();
    openThenWait(cb, scheduler);
    assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    cb.onResult(0, null);
    assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    assertThat(cb.tryAcquirePermission()).isTrue();
    cb.onResult(0, new IOException("still down"));
    assertThat(cb.state()).isEqualTo(State.OPEN);
  }

  @Test
  void ignoredExceptionsAreNeitherSuccessNorFailureAndGiveBackProbePermits(
      VirtualScheduler scheduler) {
    CircuitBreaker cb =
        breaker(calls(10, 10).ignoreExceptions(IllegalArgumentException.class).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> p.get(() -> badRequest()))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(cb.metrics().calls()).isZero();
    for (int i = 0; i < 4; i++) {
      succeed(p);
    }
    for (int i = 0; i < 6; i++) {
      fail(p);
    }
    assertThat(cb.state()).isEqualTo(State.OPEN);
    scheduler.advance(Duration.ofSeconds(30));
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> p.get(() -> badRequest()))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(cb.state()).isEqualTo(State.HALF_OPEN);
    succeed(p);
    succeed(p);
    succeed(p);
    assertThat(cb.state()).isEqualTo(State.CLOSED);
  }

  private static String badRequest() {
    throw new IllegalArgumentException("caller's fault");
  }

  @Test
  void recordResultCountsAcceptedResultsAsFailuresBlockingAndAsync(VirtualScheduler scheduler) {
    CircuitBreaker cb = breaker(calls(4, 4).recordResult(r -> "busy".equals(r)).build(), scheduler);
    Pipeline p = Pipeline.of(cb);
    assertThat(p.get(() -> "busy")).isEqualTo("busy");
    assertThat(p.get(() -> "ok")).isEqualTo("ok");
    assertThat(p.<@Nullable Object>get(() -> null)).isNull();
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    assertThat(p.stage(() -> CompletableFuture.completedFuture("busy")).join()).isEqualTo("busy");

    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getFirst().reason())
        .isEqualTo("failure rate 50.0% over the last 4 calls ≥ 50.0%");
  }

  @Test
  void timeWindowStartedByAHalfOpenCloseKeepsTheBreakersGridOfSeconds(VirtualScheduler scheduler) {
    CircuitBreaker cb =
        breaker(
            CircuitBreakerConfig.builder()
                .timeBasedWindow(2)
                .minimumCalls(1)
                .failureRateThreshold(60)
                .waitInOpen(Duration.ofMillis(2_600))
                .halfOpenPermits(1)
                .build(),
            scheduler);
    Pipeline p = Pipeline.of(cb);
    fail(p);
    scheduler.advance(Duration.ofMillis(2_750));
    succeed(p);
    assertThat(cb.state()).isEqualTo(State.CLOSED);
    succeed(p); // second 2 of the breaker's grid
    scheduler.advance(Duration.ofMillis(1_250));
    fail(p); // second 4: the window is seconds 3 and 4

    assertThat(cb.state()).isEqualTo(State.OPEN);
    assertThat(transitions.getLast().reason())
        .isEqualTo("failure rate 100.0% over the last 2s (1 calls) ≥ 60.0%");
  }

  @Test
  void aSuccessJudgedAgainstAWindowHoldingFailuresAllocatesNothing(VirtualScheduler scheduler) {
    for (CircuitBreakerConfig config :
        List.of(
            CircuitBreakerConfig.builder().countBasedWindow(100).build(),
            CircuitBreakerConfig.builder().timeBasedWindow(10).build())) {
      CircuitBreaker cb = CircuitBreaker.of("cb", config, scheduler);
      Pipeline p = Pipeline.of(cb);
      RuntimeException failure = new IllegalStateException("one call in a hundred fails");
      java.util.function.Supplier<String> fails =
          () -> {
            throw failure;
          };
      java.util.function.Supplier<String> succeeds = () -> "ok";
      var threads =
          (com.sun.management.ThreadMXBean)
              java.lang.management.ManagementFactory.getThreadMXBean();
      long successBytes = 0;
      for (int round = 0; round < 2_500; round++) { // 1 failure, then 99 successes judged
        assertThatThrownBy(() -> p.get(fails)).isSameAs(failure);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 99; i++) {
          p.get(succeeds);
        }
        if (round >= 500) { // after warm-up
          successBytes += threads.getCurrentThreadAllocatedBytes() - before;
        }
      }
      assertThat(cb.state()).isEqualTo(State.CLOSED);
      // 198 000 successes, each judged (the window holds a failure); one allocation per success
      // would be ≥ 16 B × 198 000 ≈ 3.2 MB
      assertThat(successBytes).as("%s window", config.windowType()).isLessThan(64 * 1024);
    }
  }
}
