package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Criticality;
import io.bulwark.core.context.Deadline;
import io.bulwark.resilience.limit.AimdLimit;
import io.bulwark.resilience.limit.LimitAlgorithm;
import io.bulwark.resilience.limit.VegasLimit;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class ConcurrencyLimiterTest {

  private static ConcurrencyLimiter fixedLimit(int limit, VirtualScheduler scheduler) {
    // AIMD with min = max = limit: a fixed limit, so the test controls pressure exactly
    return ConcurrencyLimiter.of(
        "svc",
        ConcurrencyLimiterConfig.builder()
            .algorithm(new AimdLimit(limit, limit, limit, 0.9, Duration.ofSeconds(5)))
            .build(),
        scheduler);
  }

  @Test
  void shedsSheddableFirstAndCriticalPlusLast(VirtualScheduler scheduler) throws Exception {
    ConcurrencyLimiter limiter = fixedLimit(10, scheduler);
    Pipeline p = Pipeline.of(limiter);
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<String>> holders = new ArrayList<>();
    Map<Criticality, Integer> firstRejectedAt = new EnumMap<>(Criticality.class);
    for (int inflight = 0; inflight < 10; inflight++) {
      for (Criticality c : Criticality.values()) {
        if (!firstRejectedAt.containsKey(c) && !admits(p, c)) {
          firstRejectedAt.put(c, inflight);
        }
      }
      holders.add(
          Context.root()
              .withCriticality(Criticality.CRITICAL_PLUS)
              .call(
                  () ->
                      p.submit(
                          () -> {
                            release.await();
                            return "held";
                          })));
      int expected = inflight + 1;
      Drive.until(() -> limiter.inflight() == expected);
    }
    for (Criticality c : Criticality.values()) {
      firstRejectedAt.putIfAbsent(c, 10);
    }
    release.countDown();
    for (CompletableFuture<String> h : holders) {
      h.get(10, TimeUnit.SECONDS);
    }

    assertThat(firstRejectedAt)
        .containsEntry(Criticality.SHEDDABLE, 5)
        .containsEntry(Criticality.SHEDDABLE_PLUS, 7)
        .containsEntry(Criticality.CRITICAL, 9)
        .containsEntry(Criticality.CRITICAL_PLUS, 10);
    assertThat(limiter.inflight()).isZero();
  }

  private static boolean admits(Pipeline p, Criticality c) throws Exception {
    try {
      Context.root().withCriticality(c).call(() -> p.get(() -> "probe"));
      return true;
    } catch (PolicyRejectedException e) {
      assertThat(e.rejection()).isEqualTo(Rejection.CONCURRENCY_LIMIT);
      return false;
    }
  }

  @Test
  void limitAdaptsFromSamplesAndReportsChanges(VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "svc",
            ConcurrencyLimiterConfig.builder()
                .algorithm(new AimdLimit(10, 1, 100, 0.5, Duration.ofSeconds(1)))
                .build(),
            scheduler);
    List<String> changes = new ArrayList<>();
    limiter.addListener(
        new ResilienceListener() {
          @Override
          public void onLimitChanged(String name, int oldLimit, int newLimit) {
            changes.add(oldLimit + "->" + newLimit);
          }
        });
    Pipeline p = Pipeline.of(limiter);
    p.get(
        () -> {
          scheduler.virtualClock().advance(Duration.ofSeconds(2));
          return "slow";
        });
    assertThat(limiter.limit()).isEqualTo(5);
    assertThat(changes).containsExactly("10->5");
  }

  @Test
  @SuppressWarnings("ThreadPriorityCheck") // yielding widens the window in which calls overlap
  void inflightNeverExceedsTheLimitUnderManyThreads(VirtualScheduler scheduler) throws Exception {
    ConcurrencyLimiter limiter = fixedLimit(3, scheduler);
    Pipeline p = Pipeline.of(limiter);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger admitted = new AtomicInteger();
    Drive.concurrently(
        12,
        t -> {
          for (int i = 0; i < 3_000; i++) {
            try {
              Context.root()
                  .withCriticality(Criticality.CRITICAL_PLUS)
                  .run(
                      () ->
                          p.run(
                              () -> {
                                admitted.incrementAndGet();
                                maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                                Thread.yield();
                                running.decrementAndGet();
                              }));
            } catch (PolicyRejectedException expected) {
              // over the limit: rejected, as it should be
            }
          }
        });
    assertThat(maxSeen.get()).isLessThanOrEqualTo(3);
    assertThat(admitted.get()).isGreaterThan(0);
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void permitsAdmitByCriticalityOutsideAPipelineAndFeedTheAlgorithm(VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "front-door",
            ConcurrencyLimiterConfig.builder()
                .algorithm(new AimdLimit(10, 2, 20, 0.5, Duration.ofSeconds(5)))
                .build(),
            scheduler);
    List<String> events = new ArrayList<>();
    limiter.addListener(
        new ResilienceListener() {
          @Override
          public void onRejected(String policy, Rejection rejection) {
            events.add("rejected " + rejection);
          }

          @Override
          public void onLimitChanged(String policy, int from, int to) {
            events.add("limit " + from + " -> " + to);
          }
        });
    List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ConcurrencyLimiter.Permit permit = limiter.tryAcquire(Criticality.SHEDDABLE);
      assertThat(permit).as("sheddable call %d", i).isNotNull();
      held.add(permit);
    }
    assertThat(limiter.tryAcquire(Criticality.SHEDDABLE)).as("sheddable share is full").isNull();
    assertThat(events).containsExactly("rejected CONCURRENCY_LIMIT");
    ConcurrencyLimiter.Permit critical = limiter.tryAcquire(Criticality.CRITICAL);
    assertThat(critical).isNotNull();
    assertThat(limiter.inflight()).isEqualTo(6);

    scheduler.advance(Duration.ofSeconds(6)); // longer than the algorithm's timeout: a drop
    critical.release(false);
    critical.release(false);
    assertThat(limiter.inflight()).as("a second release has no effect").isEqualTo(5);
    assertThat(events).endsWith("limit 10 -> 5");
    held.get(0).release(true);
    assertThat(limiter.inflight()).isEqualTo(4);
    assertThat(limiter.limit()).isEqualTo(2);
  }

  /**
   * A drop moves the limit before its permit is free: a caller that arrives while the algorithm
   * takes the sample (here, from inside it) finds the permit still held, so it can never be
   * admitted on the freed permit under the limit the drop is about to lower.
   */
  @Test
  void aReleasedPermitIsFreeOnlyAfterItsSampleMovedTheLimit(VirtualScheduler scheduler) {
    List<String> seenDuringSample = new ArrayList<>();
    ConcurrencyLimiter[] limiter = new ConcurrencyLimiter[1];
    LimitAlgorithm oneSlot =
        () ->
            new LimitAlgorithm.Estimator() {
              @Override
              public int limit() {
                return 1;
              }

              @Override
              public int onSample(long rttNanos, int inflight, boolean dropped) {
                ConcurrencyLimiter.Permit late = limiter[0].tryAcquire(Criticality.CRITICAL_PLUS);
                seenDuringSample.add(
                    "inflight " + limiter[0].inflight() + ", late caller " + (late != null));
                return 1;
              }
            };
    limiter[0] =
        ConcurrencyLimiter.of(
            "one-slot", ConcurrencyLimiterConfig.builder().algorithm(oneSlot).build(), scheduler);
    ConcurrencyLimiter.Permit permit = limiter[0].tryAcquire(Criticality.CRITICAL_PLUS);
    assertThat(permit).isNotNull();
    permit.release(true);
    assertThat(seenDuringSample).containsExactly("inflight 1, late caller false");
    assertThat(limiter[0].inflight()).isZero();
    assertThat(limiter[0].tryAcquire(Criticality.CRITICAL_PLUS))
        .as("the permit is free once the sample is in")
        .isNotNull();
  }

  @Test
  void defaultTrafficIsNotLockedOutWhenAimdFallsToItsMinimumAndTheLimitRisesAgain(
      VirtualScheduler scheduler) throws Exception {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "svc",
            ConcurrencyLimiterConfig.builder().algorithm(AimdLimit.ofDefaults()).build(),
            scheduler);
    Pipeline p = Pipeline.of(limiter);
    // the dependency is slow: every call takes the algorithm's 5 s timeout, a drop each time
    for (int i = 0; i < 30 && limiter.limit() > 1; i++) {
      p.get(
          () -> {
            scheduler.advance(Duration.ofSeconds(5));
            return "slow";
          });
    }
    assertThat(limiter.limit()).isEqualTo(1);

    // it recovers; calls of the default criticality (CRITICAL) must still get through
    assertThat(Context.current().criticality()).isEqualTo(Criticality.CRITICAL);
    assertThat(p.get(() -> "fast")).isEqualTo("fast");
    assertThat(limiter.limit()).as("the admitted call was a sample").isEqualTo(2);

    int rounds = riseUnderLoad(limiter, scheduler, Criticality.CRITICAL, 20);
    assertThat(limiter.limit()).as("back at or above the initial limit").isGreaterThanOrEqualTo(20);
    assertThat(rounds).isLessThanOrEqualTo(12);
  }

  @Test
  void criticalTrafficRaisesAVegasLimitAgainFromItsMinimum(VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "svc",
            ConcurrencyLimiterConfig.builder().algorithm(VegasLimit.ofDefaults()).build(),
            scheduler);
    for (int i = 0; i < 40 && limiter.limit() > 1; i++) {
      ConcurrencyLimiter.Permit permit = limiter.tryAcquire(Criticality.CRITICAL_PLUS);
      assertThat(permit).isNotNull();
      scheduler.advance(Duration.ofMillis(10));
      permit.release(true);
    }
    assertThat(limiter.limit()).isEqualTo(1);

    int rounds = riseUnderLoad(limiter, scheduler, Criticality.CRITICAL, 20);
    assertThat(limiter.limit()).isGreaterThanOrEqualTo(20);
    assertThat(rounds).isLessThanOrEqualTo(5);
  }

  @Test
  void sheddableTrafficAloneRaisesTheLimitFromItsMinimum(VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "svc",
            ConcurrencyLimiterConfig.builder()
                .algorithm(new AimdLimit(1, 1, 100, 0.5, Duration.ofSeconds(5)))
                .build(),
            scheduler);
    ConcurrencyLimiter.Permit permit = limiter.tryAcquire(Criticality.SHEDDABLE);
    assertThat(permit).as("SHEDDABLE at limit 1 with nothing in flight").isNotNull();
    assertThat(limiter.tryAcquire(Criticality.SHEDDABLE)).isNull();
    scheduler.advance(Duration.ofMillis(10));
    permit.release(false);
    assertThat(limiter.limit()).isEqualTo(2);
  }

  @Test
  void atTheLowestLimitAHigherCriticalityInFlightStillShedsTheLowerOnes(
      VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter = fixedLimit(1, scheduler);
    ConcurrencyLimiter.Permit critical = limiter.tryAcquire(Criticality.CRITICAL_PLUS);
    assertThat(critical).isNotNull();
    for (Criticality c : Criticality.values()) {
      assertThat(limiter.tryAcquire(c)).as("%s while the one permit is held", c).isNull();
    }
    critical.release(false);
    ConcurrencyLimiter.Permit sheddable = limiter.tryAcquire(Criticality.SHEDDABLE);
    assertThat(sheddable).as("SHEDDABLE once nothing is in flight").isNotNull();
    assertThat(limiter.tryAcquire(Criticality.CRITICAL_PLUS)).isNull();
    sheddable.release(false);
    assertThat(limiter.inflight()).isZero();
  }

  @Test
  void everyCriticalityKeepsAtLeastOnePermitAtAnyLimit(VirtualScheduler scheduler) {
    for (int limit = 1; limit <= 12; limit++) {
      ConcurrencyLimiter limiter = fixedLimit(limit, scheduler);
      for (Criticality c : Criticality.values()) {
        int expected = Math.max(1, (int) Math.floor(limit * limiter.config().share(c)));
        assertThat(limiter.admissible(c)).as("%s at limit %d", c, limit).isEqualTo(expected);
      }
    }
  }

  /**
   * Rounds of load: each round admits as many calls of {@code criticality} as the limiter takes (10
   * ms each, all in flight together), then ends them; stops once the limit reaches {@code target}.
   * Returns the rounds it took.
   */
  private static int riseUnderLoad(
      ConcurrencyLimiter limiter, VirtualScheduler scheduler, Criticality criticality, int target) {
    int rounds = 0;
    while (limiter.limit() < target && rounds < 100) {
      rounds++;
      List<ConcurrencyLimiter.Permit> held = new ArrayList<>();
      for (ConcurrencyLimiter.Permit permit = limiter.tryAcquire(criticality);
          permit != null;
          permit = limiter.tryAcquire(criticality)) {
        held.add(permit);
      }
      assertThat(held).as("round %d admits a call", rounds).isNotEmpty();
      scheduler.advance(Duration.ofMillis(10));
      held.forEach(permit -> permit.release(false));
    }
    return rounds;
  }

  /** AIMD 10 in [1, 100], halved on a drop; its own 5 s latency rule never fires in these tests. */
  private static ConcurrencyLimiter halvingOnDrop(VirtualScheduler scheduler, List<String> limits) {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.of(
            "svc",
            ConcurrencyLimiterConfig.builder()
                .algorithm(new AimdLimit(10, 1, 100, 0.5, Duration.ofSeconds(5)))
                .build(),
            scheduler);
    limiter.addListener(
        new ResilienceListener() {
          @Override
          public void onLimitChanged(String policy, int from, int to) {
            limits.add(from + " -> " + to);
          }
        });
    return limiter;
  }

  /** A dependency that hangs until its thread is interrupted, and then throws. */
  private static String hangsUntilInterrupted() throws InterruptedException {
    new CountDownLatch(1).await();
    throw new AssertionError("unreachable");
  }

  @Test
  void aTimeoutAboveTheLimiterReachesTheAlgorithmAsADrop(VirtualScheduler scheduler)
      throws Exception {
    List<String> limits = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConcurrencyLimiter limiter = halvingOnDrop(scheduler, limits);
    Pipeline p = Pipeline.of(limiter, Timeout.of("t", Duration.ofMillis(100), scheduler));
    assertThat(p.policies()).containsExactly(p.policies().get(0), limiter);

    timesOutAndDrops(p, limiter, scheduler, limits);
  }

  @Test
  void aTimeoutAboveTheLimiterIsADropEvenIfTheWorkSwallowsTheInterrupt(VirtualScheduler scheduler)
      throws Exception {
    List<String> limits = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConcurrencyLimiter limiter = halvingOnDrop(scheduler, limits);
    Pipeline p = Pipeline.of(limiter, Timeout.of("t", Duration.ofMillis(100), scheduler));

    CompletableFuture<String> call =
        p.submit(
            () -> {
              try {
                return hangsUntilInterrupted();
              } catch (InterruptedException swallowed) {
                return "late";
              }
            });
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofMillis(100));

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutExceededException.class);
    Drive.until(() -> limiter.inflight() == 0);
    assertThat(limits).containsExactly("10 -> 5");
  }

  @Test
  void aTimedOutStageBelowATimeoutReachesTheAlgorithmAsADrop(VirtualScheduler scheduler) {
    List<String> limits = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConcurrencyLimiter limiter = halvingOnDrop(scheduler, limits);
    Pipeline p = Pipeline.of(limiter, Timeout.of("t", Duration.ofMillis(100), scheduler));
    CompletableFuture<String> never = new CompletableFuture<>();

    CompletableFuture<String> call = p.stage(() -> never);
    scheduler.advance(Duration.ofMillis(100));

    assertThat(call).isCompletedExceptionally();
    assertThat(never).as("cancelling the caller's view leaves the work alone").isNotDone();
    assertThat(limiter.inflight()).as("the work still runs and keeps its permit").isEqualTo(1);
    assertThat(limits).isEmpty();

    never.complete("late");
    assertThat(limiter.inflight()).isZero();
    assertThat(limits).containsExactly("10 -> 5");
  }

  @Test
  void cancellingARunningStageKeepsItsPermitUntilItsWorkStops(VirtualScheduler scheduler) {
    ConcurrencyLimiter limiter = fixedLimit(1, scheduler);
    Pipeline p = Pipeline.of(limiter);
    CompletableFuture<String> work = new CompletableFuture<>();

    CompletableFuture<String> first = p.stage(() -> work);
    first.cancel(true);
    assertThat(first).isCancelled();
    assertThat(limiter.inflight()).as("the work still runs").isEqualTo(1);
    assertThat(p.stage(() -> CompletableFuture.completedFuture("second")))
        .as("a second call through a limit of 1 while the first's work runs")
        .isCompletedExceptionally();

    work.complete("done");
    assertThat(limiter.inflight()).isZero();
    assertThat(p.stage(() -> CompletableFuture.completedFuture("third")).join()).isEqualTo("third");
  }

  @Test
  void aCallThatFailsAfterItsContextDeadlinePassedIsADrop(VirtualScheduler scheduler)
      throws Exception {
    List<String> limits = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConcurrencyLimiter limiter = halvingOnDrop(scheduler, limits);
    Pipeline p = Pipeline.of(limiter);
    Context withDeadline =
        Context.root().withDeadline(Deadline.after(Duration.ofMillis(100), scheduler.clock()));

    assertThatThrownBy(
            () ->
                withDeadline.call(
                    () ->
                        p.call(
                            () -> {
                              scheduler.advance(Duration.ofMillis(150));
                              throw new SocketTimeoutException("read timed out");
                            })))
        .isInstanceOf(SocketTimeoutException.class);
    assertThat(limits).containsExactly("10 -> 5");

    // the same failure within the deadline is not a sign of overload
    assertThatThrownBy(
            () ->
                Context.root()
                    .withDeadline(Deadline.after(Duration.ofSeconds(1), scheduler.clock()))
                    .call(
                        () ->
                            p.call(
                                () -> {
                                  scheduler.advance(Duration.ofMillis(150));
                                  throw new SocketTimeoutException("read timed out");
                                })))
        .isInstanceOf(SocketTimeoutException.class);
    assertThat(limits).containsExactly("10 -> 5");
  }

  @Test
  void aTimeoutBelowTheLimiterIsADrop(VirtualScheduler scheduler) throws Exception {
    List<String> limits = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConcurrencyLimiter limiter = halvingOnDrop(scheduler, limits);
    Pipeline p =
        Pipeline.builder()
            .with(limiter, Timeout.of("t", Duration.ofMillis(100), scheduler))
            .inOrderGiven()
            .build();
    assertThat(p.policies().get(0)).isSameAs(limiter);

    timesOutAndDrops(p, limiter, scheduler, limits);
  }

  @Test
  void sharesMustNotGrowAsCriticalityFalls() {
    assertThatThrownBy(
            () -> ConcurrencyLimiterConfig.builder().share(Criticality.SHEDDABLE, 1.0).build())
        .hasMessageContaining("shares must not grow as criticality falls")
        .hasMessageContaining("sheddable=1.0");
    assertThatThrownBy(() -> ConcurrencyLimiterConfig.builder().share(Criticality.CRITICAL, 0))
        .hasMessage("CRITICAL share must be in (0, 1], was 0.0");
  }

  /** A call through {@code p} that hangs until interrupted times out at 100 ms and is one drop. */
  private static void timesOutAndDrops(
      Pipeline p, ConcurrencyLimiter limiter, VirtualScheduler scheduler, List<String> limits)
      throws Exception {
    CompletableFuture<String> call = p.submit(ConcurrencyLimiterTest::hangsUntilInterrupted);
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofMillis(100));

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutExceededException.class);
    // the permit's release and the limit's change are two steps of the call's own thread: wait
    // for both before reading what the listener heard
    Drive.until(() -> limiter.inflight() == 0 && !limits.isEmpty());
    assertThat(limits).containsExactly("10 -> 5");
  }
}
