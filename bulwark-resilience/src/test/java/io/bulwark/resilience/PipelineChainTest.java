package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.RetriableException;
import io.bulwark.resilience.limit.AimdLimit;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How a blocking call travels through a pipeline's stages: each policy hands the call to the next
 * stage of the pipeline it is running in, and the last stage makes the call. A policy object may
 * sit in several pipelines of different shapes; these tests try to make a call take another
 * pipeline's path, skip a stage, run the task twice or not at all.
 */
@ExtendWith(VirtualTimeExtension.class)
class PipelineChainTest {

  private static Retry retry(String name, VirtualScheduler scheduler) {
    return Retry.of(
        name, RetryConfig.builder().maxAttempts(3).fixedDelay(Duration.ZERO).build(), scheduler);
  }

  private static CircuitBreaker breaker(String name, VirtualScheduler scheduler) {
    return CircuitBreaker.of(
        name,
        CircuitBreakerConfig.builder().countBasedWindow(1000).minimumCalls(1000).build(),
        scheduler);
  }

  @Test
  void aPolicyInPipelinesOfDifferentShapesHandsEachCallToItsOwnPipelinesNextStage(
      VirtualScheduler scheduler) {
    Retry shared = retry("shared", scheduler);
    CircuitBreaker breaker = breaker("cb", scheduler);
    Bulkhead bulkhead = Bulkhead.of("bh", 4);
    Pipeline viaBreaker = Pipeline.of(shared, breaker);
    Pipeline viaBulkhead = Pipeline.of(shared, bulkhead);
    Pipeline alone = Pipeline.of(shared);

    List<Integer> permitsSeen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      assertThat(viaBreaker.get(() -> permitsSeen.add(bulkhead.availablePermits()))).isTrue();
      assertThat(viaBulkhead.get(() -> permitsSeen.add(bulkhead.availablePermits()))).isTrue();
      assertThat(alone.get(() -> permitsSeen.add(bulkhead.availablePermits()))).isTrue();
    }

    // only the calls through the breaker's pipeline were recorded by it; only those through the
    // bulkhead's pipeline held one of its permits
    assertThat(breaker.metrics().calls()).isEqualTo(3);
    assertThat(permitsSeen).containsExactly(4, 3, 4, 4, 3, 4, 4, 3, 4);
    assertThat(bulkhead.availablePermits()).isEqualTo(4);
  }

  @Test
  void aRetryRunsTheStagesInsideItAgainOnEveryAttemptAndTheCallOnceEach(
      VirtualScheduler scheduler) {
    Retry retry = retry("r", scheduler);
    CircuitBreaker breaker = breaker("cb", scheduler);
    Bulkhead bulkhead = Bulkhead.of("bh", 2);
    Pipeline p = Pipeline.of(retry, breaker, bulkhead);
    AtomicInteger calls = new AtomicInteger();
    List<Integer> permitsSeen = new ArrayList<>();

    String result =
        p.get(
            () -> {
              permitsSeen.add(bulkhead.availablePermits());
              if (calls.incrementAndGet() < 3) {
                throw new RetriableException("flaky");
              }
              return "third";
            });

    assertThat(result).isEqualTo("third");
    assertThat(calls).hasValue(3);
    assertThat(permitsSeen).containsExactly(1, 1, 1);
    assertThat(breaker.metrics().calls()).isEqualTo(3);
    assertThat(breaker.metrics().failures()).isEqualTo(2);
    assertThat(bulkhead.availablePermits()).isEqualTo(2);
  }

  @Test
  void everyKindOfPolicyAloneAndAllTogetherRunTheCallExactlyOnceWithItsResult(
      VirtualScheduler scheduler) throws Exception {
    List<Function<String, Policy>> kinds =
        List.of(
            name -> Fallback.of(name, "fallback"),
            name -> retry(name, scheduler),
            name ->
                Hedge.of(name, HedgeConfig.builder().delay(Duration.ofHours(1)).build(), scheduler),
            name -> AdaptiveThrottle.of(name, AdaptiveThrottleConfig.builder().build(), scheduler),
            name -> breaker(name, scheduler),
            name ->
                RateLimiter.of(
                    name,
                    RateLimiterConfig.builder().rate(1_000_000, Duration.ofSeconds(1)).build(),
                    scheduler),
            name -> Timeout.of(name, Duration.ofHours(1), scheduler),
            name -> Bulkhead.of(name, 8),
            name ->
                ConcurrencyLimiter.of(
                    name,
                    ConcurrencyLimiterConfig.builder()
                        .algorithm(new AimdLimit(8, 8, 8, 0.9, Duration.ofSeconds(5)))
                        .build(),
                    scheduler));
    List<Pipeline> pipelines = new ArrayList<>();
    pipelines.add(Pipeline.builder().build());
    List<Policy> all = new ArrayList<>();
    for (int k = 0; k < kinds.size(); k++) {
      pipelines.add(Pipeline.of(kinds.get(k).apply("alone-" + k)));
      all.add(kinds.get(k).apply("all-" + k));
    }
    pipelines.add(Pipeline.of(all.toArray(Policy[]::new)));

    for (Pipeline p : pipelines) {
      AtomicInteger runs = new AtomicInteger();
      assertThat(p.get(runs::incrementAndGet)).as(p.toString()).isEqualTo(1);
      assertThat(p.call(runs::incrementAndGet)).as(p.toString()).isEqualTo(2);
      p.run(runs::incrementAndGet);
      assertThat(runs).as(p.toString()).hasValue(3);
    }
  }

  @Test
  void aCallWhoseDeadlineHasPassedIsNotStartedAfterManyCallsWithoutADeadline(
      VirtualScheduler scheduler) throws Exception {
    Pipeline p = Pipeline.of(retry("r", scheduler));
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 20_000; i++) {
      p.get(runs::incrementAndGet);
    }
    Context expired = Context.root().withDeadline(Deadline.afterNanos(1, scheduler.clock()));
    scheduler.advance(Duration.ofMillis(1));

    assertThatThrownBy(() -> expired.call(() -> p.get(runs::incrementAndGet)))
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(runs).hasValue(20_000);
  }

  @Test
  void pipelinesOfManyShapesSharingPoliciesGiveEveryCallItsOwnResultUnderConcurrency(
      VirtualScheduler scheduler) throws Exception {
    Retry retry = retry("r", scheduler);
    CircuitBreaker breaker = breaker("cb", scheduler);
    RateLimiter limiter =
        RateLimiter.of(
            "rl",
            RateLimiterConfig.builder()
                .rate(1_000_000_000, Duration.ofSeconds(1))
                .maxWait(Duration.ZERO)
                .build(),
            scheduler);
    Bulkhead bulkhead = Bulkhead.of("bh", 64);
    List<Pipeline> shapes =
        List.of(
            Pipeline.of(retry),
            Pipeline.of(breaker),
            Pipeline.of(limiter),
            Pipeline.of(bulkhead),
            Pipeline.of(retry, breaker),
            Pipeline.of(retry, limiter, bulkhead),
            Pipeline.of(breaker, bulkhead),
            Pipeline.of(retry, breaker, limiter, bulkhead),
            Pipeline.builder().with(bulkhead, breaker, retry).inOrderGiven().build(),
            Pipeline.builder().build());
    int threads = 4;
    int callsPerThread = 20_000;
    AtomicLong wrong = new AtomicLong();
    AtomicLong ran = new AtomicLong();

    Drive.concurrently(
        threads,
        thread -> {
          for (int i = 0; i < callsPerThread; i++) {
            long expected = (long) thread * callsPerThread + i;
            Pipeline p = shapes.get((i + thread) % shapes.size());
            long got =
                p.get(
                    () -> {
                      ran.incrementAndGet();
                      return expected;
                    });
            if (got != expected) {
              wrong.incrementAndGet();
            }
          }
        });

    assertThat(wrong).hasValue(0);
    assertThat(ran).hasValue((long) threads * callsPerThread);
    assertThat(bulkhead.availablePermits()).isEqualTo(64);
    assertThat(limiter.availablePermits()).isPositive();
    int throughBreaker = 0;
    for (int thread = 0; thread < threads; thread++) {
      for (int i = 0; i < callsPerThread; i++) {
        if (shapes.get((i + thread) % shapes.size()).policies().contains(breaker)) {
          throughBreaker++;
        }
      }
    }
    // the breaker's count window (the last 1000 calls) is full of successes
    assertThat(throughBreaker).isGreaterThan(1000);
    assertThat(breaker.metrics().calls()).isEqualTo(1000);
    assertThat(breaker.metrics().failures()).isZero();
  }
}
