package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.RetriableException;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class RetryTest {
  private final List<String> events = new CopyOnWriteArrayList<>();

  private final ResilienceListener recorder =
      new ResilienceListener() {
        @Override
        public void onRetry(String retry, int nextAttempt, long delayNanos, Throwable failure) {
          events.add("retry " + nextAttempt + " after " + Duration.ofNanos(delayNanos));
        }

        @Override
        public void onRetryGivenUp(String retry, int attempts, String reason, Throwable failure) {
          events.add("gave up after " + attempts + ": " + reason);
        }
      };

  private Retry retry(RetryConfig config, VirtualScheduler scheduler) {
    Retry r = Retry.of("r", config, scheduler, () -> 0.5);
    r.addListener(recorder);
    return r;
  }

  /** A call that fails {@code failures} times with a retriable error, recording when it ran. */
  private static java.util.concurrent.Callable<String> flaky(
      int failures, VirtualScheduler scheduler) {
    AtomicInteger calls = new AtomicInteger();
    return () -> {
      scheduler.record("attempt " + (calls.get() + 1));
      if (calls.incrementAndGet() <= failures) {
        throw new RetriableException("flaky");
      }
      return "ok after " + calls.get();
    };
  }

  @Test
  void retriesWithExponentialBackoffInVirtualTime(VirtualScheduler scheduler) throws Exception {
    Retry r =
        retry(
            RetryConfig.builder()
                .maxAttempts(4)
                .backoff(Duration.ofMillis(100), 2, Duration.ofSeconds(1))
                .jitter(RetryConfig.Jitter.NONE)
                .build(),
            scheduler);
    CompletableFuture<String> call = Pipeline.of(r).submit(flaky(3, scheduler));
    Drive.untilDone(scheduler, call);

    assertThat(call.get()).isEqualTo("ok after 4");
    assertThat(scheduler.timeline())
        .extracting(Object::toString)
        .containsExactly("0ms attempt 1", "100ms attempt 2", "300ms attempt 3", "700ms attempt 4");
    assertThat(events)
        .containsExactly("retry 2 after PT0.1S", "retry 3 after PT0.2S", "retry 4 after PT0.4S");
  }

  @Test
  void stopsAtMaxAttemptsAndRethrowsTheLastFailure(VirtualScheduler scheduler) {
    Retry r =
        retry(
            RetryConfig.builder().maxAttempts(3).fixedDelay(Duration.ofMillis(10)).build(),
            scheduler);
    CompletableFuture<String> call = Pipeline.of(r).submit(flaky(10, scheduler));
    Drive.untilDone(scheduler, call);

    assertThatThrownBy(call::get).hasCauseInstanceOf(RetriableException.class);
    assertThat(scheduler.timeline()).hasSize(3);
    assertThat(events.getLast()).isEqualTo("gave up after 3: attempts exhausted");
  }

  @Test
  void doesNotRetryWhatRetryOnRejects(VirtualScheduler scheduler) {
    Retry r = retry(RetryConfig.builder().maxAttempts(5).build(), scheduler);
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                Pipeline.of(r)
                    .get(
                        () -> {
                          calls.incrementAndGet();
                          throw new IllegalStateException("a bug, not a blip");
                        }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(events).containsExactly("gave up after 1: not retriable");
  }

  @Test
  void makesNoAttemptThatCannotFinishBeforeTheDeadline(VirtualScheduler scheduler)
      throws Exception {
    Retry r =
        retry(
            RetryConfig.builder()
                .maxAttempts(10)
                .fixedDelay(Duration.ofMillis(300))
                .minAttemptTime(Duration.ofMillis(200))
                .build(),
            scheduler);
    Context context =
        Context.root().withDeadline(Deadline.after(Duration.ofSeconds(1), scheduler.clock()));
    CompletableFuture<String> call =
        context.call(() -> Pipeline.of(r).submit(flaky(100, scheduler)));
    Drive.untilDone(scheduler, call);

    assertThatThrownBy(call::get).hasCauseInstanceOf(RetriableException.class);
    // attempts at 0, 300 ms; at 600 ms only 400 ms are left: 300 ms backoff leaves < 200 ms
    assertThat(scheduler.timeline())
        .extracting(Object::toString)
        .containsExactly("0ms attempt 1", "300ms attempt 2", "600ms attempt 3");
    assertThat(events.getLast())
        .isEqualTo("gave up after 3: deadline leaves no time for another attempt");
  }

  @Test
  void fullJitterStaysWithinTheExponentialDelay(VirtualScheduler scheduler) {
    RetryConfig config =
        RetryConfig.builder()
            .backoff(Duration.ofMillis(100), 2, Duration.ofSeconds(1))
            .jitter(RetryConfig.Jitter.FULL)
            .build();
    Retry low = Retry.of("low", config, scheduler, () -> 0.0);
    Retry high = Retry.of("high", config, scheduler, () -> 0.999_999);
    for (int n = 1; n <= 6; n++) {
      long cap = Math.min(1_000_000_000L, 100_000_000L << (n - 1));
      assertThat(low.backoffNanos(n, 0)).isZero();
      assertThat(high.backoffNanos(n, 0)).isLessThanOrEqualTo(cap).isGreaterThan(cap * 99 / 100);
    }
  }

  @Test
  void decorrelatedJitterStaysBetweenInitialAndThreeTimesThePrevious(VirtualScheduler scheduler) {
    RetryConfig config =
        RetryConfig.builder()
            .backoff(Duration.ofMillis(100), 2, Duration.ofSeconds(2))
            .jitter(RetryConfig.Jitter.DECORRELATED)
            .build();
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    Retry r = Retry.of("r", config, scheduler, random::nextDouble);
    long previous = 100_000_000L;
    for (int n = 1; n <= 50; n++) {
      long delay = r.backoffNanos(n, previous);
      assertThat(delay)
          .isGreaterThanOrEqualTo(100_000_000L)
          .isLessThanOrEqualTo(Math.min(2_000_000_000L, 3 * previous));
      previous = delay;
    }
  }

  @Test
  void givesUpWhenTheBudgetIsEmpty(VirtualScheduler scheduler) {
    RetryBudget budget =
        RetryBudget.of(
            "payments",
            RetryBudgetConfig.builder().ratio(0.0).minRetriesPerSecond(0).build(),
            scheduler);
    Retry r = retry(RetryConfig.builder().maxAttempts(3).budget(budget).build(), scheduler);
    CompletableFuture<String> call = Pipeline.of(r).submit(flaky(1, scheduler));
    Drive.untilDone(scheduler, call);

    assertThatThrownBy(call::get).hasCauseInstanceOf(RetriableException.class);
    assertThat(events).containsExactly("gave up after 1: retry budget 'payments' exhausted");
    assertThat(budget.requests()).isEqualTo(1);
    assertThat(budget.retries()).isZero();
  }

  @Test
  void asyncRetryReattemptsUnderTheCallersContext(VirtualScheduler scheduler) throws Exception {
    Retry r =
        retry(
            RetryConfig.builder().maxAttempts(3).fixedDelay(Duration.ofMillis(50)).build(),
            scheduler);
    Context context = Context.root().withCorrelationId("req-7");
    List<String> seen = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<String> result =
        context.call(
            () ->
                Pipeline.of(r)
                    .stage(
                        () -> {
                          seen.add(Context.current().correlationId());
                          return calls.incrementAndGet() < 3
                              ? CompletableFuture.failedFuture(new RetriableException("x"))
                              : CompletableFuture.completedFuture("third");
                        }));
    scheduler.advance(Duration.ofMillis(100));
    assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("third");
    assertThat(seen).containsExactly("req-7", "req-7", "req-7");
  }

  @Test
  void builderNamesTheBadValue() {
    assertThatThrownBy(() -> RetryConfig.builder().maxAttempts(0))
        .hasMessage("maxAttempts must be positive, was 0");
    assertThatThrownBy(() -> RetryConfig.builder().multiplier(0.5))
        .hasMessage("multiplier must be at least 1.0, was 0.5");
    assertThatThrownBy(
            () ->
                RetryConfig.builder()
                    .backoff(Duration.ofSeconds(2), 2, Duration.ofSeconds(1))
                    .build())
        .hasMessage("maxDelay PT1S must not be shorter than initialDelay PT2S");
  }

  @Test
  void retriesResultsAcceptedByRetryOnResultAndReturnsTheLastWhenNoRetryIsLeft(
      VirtualScheduler scheduler) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry r =
        retry(
            RetryConfig.builder()
                .maxAttempts(3)
                .fixedDelay(Duration.ofSeconds(1))
                .retryOnResult(v -> "pending".equals(v))
                .build(),
            scheduler);
    Pipeline p = Pipeline.of(r);
    CompletableFuture<String> twice =
        p.submit(() -> calls.incrementAndGet() < 2 ? "pending" : "done");
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(twice.get(10, TimeUnit.SECONDS)).isEqualTo("done");

    CompletableFuture<String> always = p.stage(() -> CompletableFuture.completedFuture("pending"));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(always.get(10, TimeUnit.SECONDS)).isEqualTo("pending");
    assertThat(events)
        .containsExactly(
            "retry 2 after PT1S",
            "retry 2 after PT1S",
            "retry 3 after PT1S",
            "gave up after 3: attempts exhausted");
  }

  @Test
  void ignoredExceptionsAreNeverRetriedWhateverRetryOnSays(VirtualScheduler scheduler) {
    AtomicInteger calls = new AtomicInteger();
    Retry r =
        retry(
            RetryConfig.builder()
                .maxAttempts(5)
                .retryOn(t -> true)
                .ignoreExceptions(IllegalStateException.class)
                .build(),
            scheduler);
    assertThatThrownBy(
            () ->
                Pipeline.of(r)
                    .get(
                        () -> {
                          calls.incrementAndGet();
                          throw new IllegalStateException("bad state");
                        }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(events).containsExactly("gave up after 1: not retriable");
  }
}
