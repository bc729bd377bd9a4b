package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.RetriableException;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class PipelineTest {

  private static Retry retry(int attempts, VirtualScheduler scheduler) {
    return Retry.of(
        "retry",
        RetryConfig.builder().maxAttempts(attempts).fixedDelay(Duration.ofMillis(10)).build(),
        scheduler);
  }

  private static CircuitBreaker breaker(int minimumCalls, VirtualScheduler scheduler) {
    return CircuitBreaker.of(
        "cb",
        CircuitBreakerConfig.builder()
            .countBasedWindow(minimumCalls)
            .minimumCalls(minimumCalls)
            .build(),
        scheduler);
  }

  @Test
  void appliesPoliciesInTheDocumentedOrderWhateverTheOrderAdded(VirtualScheduler scheduler) {
    Bulkhead bulkhead = Bulkhead.of("bh", 10);
    Timeout timeout = Timeout.of("to", Duration.ofSeconds(1), scheduler);
    RateLimiter limiter = RateLimiter.of("rl", 100, Duration.ofSeconds(1));
    CircuitBreaker cb = breaker(10, scheduler);
    Retry retry = retry(3, scheduler);
    Fallback<String> fallback = Fallback.of("fb", "x");
    Pipeline p = Pipeline.of(bulkhead, timeout, limiter, cb, retry, fallback);
    assertThat(p.policies())
        .extracting(Policy::name)
        .containsExactly("fb", "retry", "cb", "rl", "to", "bh");

    Pipeline given = Pipeline.builder().with(bulkhead, cb, retry).inOrderGiven().build();
    assertThat(given.policies()).extracting(Policy::name).containsExactly("bh", "cb", "retry");
  }

  @Test
  void retryReentersTheBreakerAndTheFallbackSeesTheFinalFailure(VirtualScheduler scheduler)
      throws Exception {
    CircuitBreaker cb = breaker(10, scheduler);
    AtomicInteger attempts = new AtomicInteger();
    Pipeline p = Pipeline.of(Fallback.of("fb", "degraded"), retry(3, scheduler), cb);
    CompletableFuture<String> call =
        p.submit(
            () -> {
              attempts.incrementAndGet();
              throw new RetriableException("down");
            });
    Drive.untilDone(scheduler, call);
    assertThat(call.get()).isEqualTo("degraded");
    assertThat(attempts.get()).isEqualTo(3);
    assertThat(cb.metrics().failures()).isEqualTo(3);
  }

  @Test
  void rejectsARetryInsideARetry(VirtualScheduler scheduler) {
    assertThatThrownBy(
            () ->
                Pipeline.builder()
                    .name("orders")
                    .with(retry(3, scheduler), Retry.of("inner", 4))
                    .inOrderGiven()
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "pipeline 'orders' is misconfigured: retry 'inner' is inside retry 'retry':"
                + " attempts multiply (3 × 4 = 12)");
  }

  @Test
  void rejectsABreakerThatOneCallsRetriesCouldOpen(VirtualScheduler scheduler) {
    assertThatThrownBy(() -> Pipeline.of(retry(5, scheduler), breaker(5, scheduler)))
        .hasMessageContaining(
            "circuit breaker 'cb' counts each attempt of retry 'retry', and one failing call's 5"
                + " attempts reach its minimumCalls 5");
    assertThat(Pipeline.of(retry(5, scheduler), breaker(6, scheduler)).policies()).hasSize(2);
  }

  @Test
  void rejectsRetriesTimesTimeoutLongerThanTheDeadline(VirtualScheduler scheduler) {
    Timeout timeout = Timeout.of("to", Duration.ofSeconds(2), scheduler);
    assertThatThrownBy(
            () ->
                Pipeline.builder()
                    .name("orders")
                    .with(retry(3, scheduler), timeout)
                    .deadline(Duration.ofSeconds(5))
                    .build())
        .hasMessage(
            "pipeline 'orders' is misconfigured: retry 'retry' × timeout 'to' can take PT6.02S"
                + " (3 attempts × PT2S + up to PT0.02S backoff), longer than the pipeline"
                + " deadline PT5S");
    Pipeline fits =
        Pipeline.builder()
            .with(retry(2, scheduler), timeout)
            .deadline(Duration.ofSeconds(5))
            .build();
    assertThat(fits.policies()).hasSize(2);
  }

  @Test
  void rejectsTheSamePolicyTwice(VirtualScheduler scheduler) {
    Bulkhead bulkhead = Bulkhead.of("bh", 1);
    assertThatThrownBy(() -> Pipeline.of(bulkhead, bulkhead))
        .hasMessageContaining("policy 'bh' appears twice");
  }

  @Test
  void doesNotStartACallWhoseDeadlineHasPassed(VirtualScheduler scheduler) throws Exception {
    Context expired =
        Context.root().withDeadline(Deadline.after(Duration.ofMillis(1), scheduler.clock()));
    scheduler.advance(Duration.ofMillis(1));
    AtomicInteger calls = new AtomicInteger();
    Pipeline p = Pipeline.of(Bulkhead.of("bh", 1));
    assertThatThrownBy(() -> expired.call(() -> p.get(calls::incrementAndGet)))
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(calls.get()).isZero();
  }

  @Test
  void pipelineDeadlineBoundsTheCallsContext(VirtualScheduler scheduler) {
    Pipeline p =
        Pipeline.builder()
            .with(Bulkhead.of("bh", 1))
            .deadline(Duration.ofSeconds(3))
            .clock(scheduler.clock())
            .build();
    long remaining =
        p.get(
            () -> java.util.Objects.requireNonNull(Context.current().deadline()).remainingNanos());
    assertThat(remaining).isEqualTo(Duration.ofSeconds(3).toNanos());
  }

  @Test
  void oneListenerSeesEveryPolicysEventsAndEachCall(VirtualScheduler scheduler) {
    List<String> events = new CopyOnWriteArrayList<>();
    CircuitBreaker cb = breaker(2, scheduler);
    Pipeline p =
        Pipeline.builder()
            .name("orders")
            .with(cb, Fallback.of("fb", "x"))
            .clock(scheduler.clock())
            .listener(
                new ResilienceListener() {
                  @Override
                  public void onStateTransition(String breaker, CircuitBreaker.Transition t) {
                    events.add(breaker + " " + t.to());
                  }

                  @Override
                  public void onRejected(String policy, Rejection rejection) {
                    events.add(policy + " " + rejection.label());
                  }

                  @Override
                  public void onFallback(String policy, Throwable failure) {
                    events.add(policy + " fallback");
                  }

                  @Override
                  public void onCallEnded(
                      String pipeline, long durationNanos, @Nullable Throwable failure) {
                    events.add(pipeline + " ended " + (failure == null ? "ok" : "failed"));
                  }
                })
            .build();
    Supplier<String> failing =
        () -> {
          throw new RetriableException("down");
        };
    p.get(failing);
    p.get(failing);
    p.get(() -> "ok");
    assertThat(events)
        .containsExactly(
            "fb fallback",
            "orders ended ok",
            "cb OPEN",
            "fb fallback",
            "orders ended ok",
            "cb circuit_open",
            "fb fallback",
            "orders ended ok");
  }

  @Test
  void aThrowingListenerDoesNotBreakTheCall(VirtualScheduler scheduler) {
    Pipeline p =
        Pipeline.builder()
            .with(Fallback.of("fb", "x"))
            .listener(
                new ResilienceListener() {
                  @Override
                  public void onFallback(String policy, Throwable failure) {
                    throw new IllegalStateException("broken listener");
                  }
                })
            .build();
    Supplier<String> failing =
        () -> {
          throw new RetriableException("down");
        };
    assertThat(p.get(failing)).isEqualTo("x");
  }

  @Test
  void asyncStagesGoThroughRetryBreakerAndTimeout(VirtualScheduler scheduler) throws Exception {
    CircuitBreaker cb = breaker(10, scheduler);
    Pipeline p =
        Pipeline.of(retry(3, scheduler), cb, Timeout.of("to", Duration.ofMillis(100), scheduler));
    AtomicInteger attempts = new AtomicInteger();
    CompletableFuture<String> result =
        p.stage(
            () ->
                attempts.incrementAndGet() < 3
                    ? new CompletableFuture<String>()
                    : CompletableFuture.completedFuture("third"));
    scheduler.advance(Duration.ofMillis(100));
    scheduler.advance(Duration.ofMillis(10));
    scheduler.advance(Duration.ofMillis(100));
    scheduler.advance(Duration.ofMillis(10));
    assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("third");
    assertThat(cb.metrics().failures()).isEqualTo(2);
  }

  @Test
  void checkedFailuresOfGetArriveWrappedAndCallPassesThemThrough(VirtualScheduler scheduler) {
    Pipeline p = Pipeline.of(Bulkhead.of("bh", 1));
    assertThatThrownBy(
            () ->
                p.call(
                    () -> {
                      throw new java.io.IOException("disk");
                    }))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void theSuccessPathAllocatesNothing(VirtualScheduler scheduler) {
    Pipeline p =
        Pipeline.of(
            Retry.of(
                "r",
                RetryConfig.builder()
                    .maxAttempts(3)
                    .budget(RetryBudget.of("b", RetryBudgetConfig.builder().build()))
                    .build(),
                scheduler),
            CircuitBreaker.of("cb", CircuitBreakerConfig.ofDefaults(), scheduler),
            RateLimiter.of(
                "rl",
                RateLimiterConfig.builder().rate(1_000_000_000, Duration.ofSeconds(1)).build(),
                scheduler),
            Bulkhead.of("bh", 100));
    Supplier<String> call = () -> "ok";
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 50_000; i++) {
      p.get(call);
    }
    int calls = 200_000;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < calls; i++) {
      p.get(call);
    }
    long bytes = threads.getCurrentThreadAllocatedBytes() - before;
    // a single allocation per call would be ≥ 16 B × 200 000 = 3.2 MB
    assertThat(bytes).isLessThan(64 * 1024);
  }
}
