package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Criticality;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class BulkheadTest {

  @Test
  void rejectsWhenAllPermitsAreTakenAndWaitIsZero(VirtualScheduler scheduler) throws Exception {
    Bulkhead bulkhead =
        Bulkhead.of("db", BulkheadConfig.builder().maxConcurrent(2).build(), scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> a = p.submit(() -> blockOn(release));
    CompletableFuture<String> b = p.submit(() -> blockOn(release));
    Drive.until(() -> bulkhead.availablePermits() == 0);

    assertThatThrownBy(() -> p.get(() -> "c"))
        .isInstanceOf(PolicyRejectedException.class)
        .hasMessage("bulkhead 'db' is full");
    release.countDown();
    assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(bulkhead.availablePermits()).isEqualTo(2);
  }

  @Test
  void waiterGetsThePermitWhenItIsReleasedWithinMaxWait(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(1, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> holder = p.submit(() -> blockOn(release));
    Drive.until(() -> bulkhead.availablePermits() == 0);
    CompletableFuture<String> waiter = p.submit(() -> "second");
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofSeconds(4));
    assertThat(waiter).isNotDone();

    release.countDown();
    assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("second");
  }

  @Test
  void waiterIsRejectedAfterMaxWaitInVirtualTime(VirtualScheduler scheduler) throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(1, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> holder = p.submit(() -> blockOn(release));
    Drive.until(() -> bulkhead.availablePermits() == 0);
    CompletableFuture<String> waiter = p.submit(() -> "second");
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofSeconds(5));

    assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(PolicyRejectedException.class);
    release.countDown();
    holder.get(10, TimeUnit.SECONDS);
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void permitOfATimedOutCallIsReleasedOnlyWhenItsWorkStops(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead =
        Bulkhead.of("db", BulkheadConfig.builder().maxConcurrent(1).build(), scheduler);
    Timeout timeout = Timeout.of("t", Duration.ofSeconds(1), scheduler);
    Pipeline p = Pipeline.of(bulkhead, timeout);
    CountDownLatch interrupted = new CountDownLatch(1);
    CountDownLatch mayStop = new CountDownLatch(1);
    CompletableFuture<String> call =
        p.submit(
            () -> {
              try {
                new CountDownLatch(1).await();
              } catch (InterruptedException e) {
                interrupted.countDown();
                mayStop.await();
              }
              return "stopped";
            });
    Drive.until(() -> bulkhead.availablePermits() == 0 && scheduler.pendingTasks() == 1);
    scheduler.advance(Duration.ofSeconds(1));

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutExceededException.class);
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(bulkhead.availablePermits()).as("work still running").isZero();
    mayStop.countDown();
    Drive.until(() -> bulkhead.availablePermits() == 1);
  }

  @Test
  void neverMoreThanMaxConcurrentUnderManyThreads(VirtualScheduler scheduler) throws Exception {
    BulkheadConfig config =
        BulkheadConfig.builder().maxConcurrent(4).maxWait(Duration.ofDays(1)).build();
    assertNeverMoreThanMaxConcurrent(Bulkhead.of("db", config, scheduler));
  }

  @Test
  void stripedBulkheadNeverHasMoreThanMaxConcurrentUnderManyThreads(VirtualScheduler scheduler)
      throws Exception {
    BulkheadConfig config =
        BulkheadConfig.builder().maxConcurrent(6).maxWait(Duration.ofDays(1)).build();
    Permits permits = new Permits(6, 4); // shares 2, 2, 1, 1
    assertThat(permits.stripes()).isEqualTo(4);
    assertNeverMoreThanMaxConcurrent(new DefaultBulkhead("db", config, scheduler, permits));
  }

  @Test
  void oneCallerCanTakeEveryPermitOfAStripedBulkhead() {
    Permits permits = new Permits(10, 4);
    for (int i = 0; i < 10; i++) {
      assertThat(permits.tryAcquire()).as("permit %d", i).isTrue();
    }
    assertThat(permits.tryAcquire()).isFalse();
    assertThat(permits.available()).isZero();
    for (int i = 0; i < 10; i++) {
      permits.release();
    }
    assertThat(permits.available()).isEqualTo(10);
    assertThatThrownBy(permits::release)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("released a permit that was not taken: all are free");
    assertThat(permits.available()).isEqualTo(10);
  }

  @Test
  void stripesOnlyLargeBulkheads() {
    assertThat(Permits.stripesFor(100, 2)).isEqualTo(4);
    assertThat(Permits.stripesFor(100, 16)).isEqualTo(8);
    assertThat(Permits.stripesFor(10_000, 16)).isEqualTo(32);
    assertThat(Permits.stripesFor(15, 16)).isEqualTo(1);
    assertThat(Permits.stripesFor(1, 1)).isEqualTo(1);
  }

  @Test
  void stageWaitsForAPermitWithoutBlockingAndRunsWhenOneIsReleased(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(1, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> holder = p.stage(() -> first);
    AtomicInteger started = new AtomicInteger();
    CompletableFuture<String> waiter =
        p.stage(
            () -> {
              started.incrementAndGet();
              return CompletableFuture.completedFuture("second");
            });
    assertThat(waiter).as("stage() returned without blocking").isNotDone();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(4));
    assertThat(started.get()).isZero();

    first.complete("first");
    assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("second");
    assertThat(started.get()).isEqualTo(1);
    assertThat(scheduler.pendingTasks()).as("the wait's timer is cancelled").isZero();
    Drive.until(() -> bulkhead.availablePermits() == 1);
  }

  @Test
  void waitingStageIsRejectedAfterMaxWait(VirtualScheduler scheduler) throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(1, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CompletableFuture<String> first = new CompletableFuture<>();
    assertThat(p.stage(() -> first)).isNotDone();
    CompletableFuture<String> waiter = p.stage(() -> CompletableFuture.completedFuture("no"));
    scheduler.advance(Duration.ofSeconds(5));

    assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(PolicyRejectedException.class);
    first.complete("first");
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void aStageCancelledWhileWaitingNeverRunsAndGivesBackThePermitItIsHanded(
      VirtualScheduler scheduler) throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(1, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> holder = p.stage(() -> first);
    AtomicInteger started = new AtomicInteger();
    CompletableFuture<String> waiter =
        p.stage(
            () -> {
              started.incrementAndGet();
              return CompletableFuture.completedFuture("late");
            });
    assertThat(waiter.cancel(false)).isTrue();

    first.complete("first");
    assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    Drive.until(() -> bulkhead.availablePermits() == 1);
    assertThat(started.get()).isZero();
    assertThat(p.stage(() -> CompletableFuture.completedFuture("next")).get(10, TimeUnit.SECONDS))
        .isEqualTo("next");
  }

  @Test
  void cancellingARunningStageKeepsItsPermitUntilItsWorkStops() throws Exception {
    Bulkhead bulkhead = Bulkhead.of("bh", 1);
    Pipeline p = Pipeline.of(bulkhead);
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletableFuture<String> call = p.stage(() -> work);
    assertThat(call.cancel(true)).isTrue();

    assertThat(work).as("the work itself goes on").isNotDone();
    assertThat(bulkhead.availablePermits()).isZero();
    AtomicInteger started = new AtomicInteger();
    CompletableFuture<String> second =
        p.stage(
            () -> {
              started.incrementAndGet();
              return CompletableFuture.completedFuture("second");
            });
    assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(PolicyRejectedException.class);
    assertThat(started.get()).isZero();

    work.complete("done");
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
    assertThat(p.stage(() -> CompletableFuture.completedFuture("next")).get(10, TimeUnit.SECONDS))
        .isEqualTo("next");
  }

  @Test
  void aStageTimedOutAboveTheBulkheadKeepsItsPermitUntilItsWorkStops(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead = Bulkhead.of("bh", 1);
    Pipeline p = Pipeline.of(Timeout.of("to", Duration.ofSeconds(1), scheduler), bulkhead);
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletableFuture<String> call = p.stage(() -> work);
    scheduler.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutExceededException.class);

    assertThat(bulkhead.availablePermits()).isZero();
    work.completeExceptionally(new IllegalStateException("stopped at last"));
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void aTimeoutAboveTheBulkheadCancelsAStageWhoseCancelStopsItsWork(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead = Bulkhead.of("bh", 1);
    Pipeline p = Pipeline.of(Timeout.of("to", Duration.ofSeconds(1), scheduler), bulkhead);
    AbortableWork work = new AbortableWork();
    CompletableFuture<String> call = p.stage(() -> work);
    scheduler.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutExceededException.class);

    assertThat(work.aborted).as("the timeout reached the work's own cancel").isTrue();
    assertThat(bulkhead.availablePermits()).as("the aborted work has stopped").isEqualTo(1);
  }

  /** A stage whose cancel stops its work, as the JDK HTTP client's futures abort their exchange. */
  private static final class AbortableWork extends CompletableFuture<String> {
    volatile boolean aborted;

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      aborted = true; // the work stops here
      return super.cancel(mayInterruptIfRunning);
    }
  }

  @Test
  void aWaitedStageWhoseSupplierThrowsFailsAndGivesItsPermitBack(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(1, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CompletableFuture<String> first = new CompletableFuture<>();
    assertThat(p.stage(() -> first)).isNotDone();
    CompletableFuture<String> waiter =
        p.stage(
            () -> {
              throw new StackOverflowError("supplier blew up");
            });
    first.complete("first");
    assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(StackOverflowError.class);
    Drive.until(() -> bulkhead.availablePermits() == 1);
  }

  @Test
  void everyWaitingStageRunsWhenPermitsAreReleasedTogether(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(3, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    List<CompletableFuture<String>> holders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CompletableFuture<String> held = new CompletableFuture<>();
      holders.add(held);
      assertThat(p.stage(() -> held)).isNotDone();
    }
    List<CompletableFuture<String>> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String value = "w" + i;
      waiters.add(p.stage(() -> CompletableFuture.completedFuture(value)));
    }
    holders.forEach(h -> h.complete("done"));
    for (int i = 0; i < 3; i++) {
      assertThat(waiters.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("w" + i);
    }
    Drive.until(() -> bulkhead.availablePermits() == 3);
  }

  @Test
  void aStageThatWaitedGoesOnUnderTheCallersContext(VirtualScheduler scheduler) throws Exception {
    Bulkhead bulkhead = waitingUpTo5s(1, scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    CompletableFuture<String> first = new CompletableFuture<>();
    assertThat(p.stage(() -> first)).isNotDone();
    Context caller =
        Context.root().withCriticality(Criticality.CRITICAL_PLUS).withBaggage("tenant", "acme");
    CompletableFuture<String> waiter =
        caller.call(
            () ->
                p.stage(
                    () ->
                        CompletableFuture.completedFuture(
                            Context.current().criticality()
                                + " "
                                + Context.current().baggage().get("tenant"))));
    first.complete("first");
    assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("CRITICAL_PLUS acme");
  }

  @Test
  void blockingAndStageWaitersTogetherNeverStrandAFreePermit(VirtualScheduler scheduler)
      throws Exception {
    // waits never time out here (virtual time stands still): a lost wake-up would hang a caller
    Bulkhead bulkhead =
        Bulkhead.of(
            "db",
            BulkheadConfig.builder().maxConcurrent(2).maxWait(Duration.ofDays(1)).build(),
            scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    Drive.concurrently(
        8,
        t -> {
          for (int i = 0; i < 300; i++) {
            if (t % 2 == 0) {
              p.run(() -> track(running, maxSeen));
            } else {
              p.stage(
                      () -> {
                        track(running, maxSeen);
                        return CompletableFuture.completedFuture("ok");
                      })
                  .get(20, TimeUnit.SECONDS);
            }
          }
        });
    assertThat(maxSeen.get()).isLessThanOrEqualTo(2);
    Drive.until(() -> bulkhead.availablePermits() == 2);
  }

  // yielding widens the window in which a second call could overlap; no outcome depends on it
  @SuppressWarnings("ThreadPriorityCheck")
  private static void track(AtomicInteger running, AtomicInteger maxSeen) {
    maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
    Thread.yield();
    running.decrementAndGet();
  }

  private static void assertNeverMoreThanMaxConcurrent(Bulkhead bulkhead) throws Exception {
    int limit = bulkhead.config().maxConcurrent();
    Pipeline p = Pipeline.of(bulkhead);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    int threads = 16;
    int callsEach = 2_000;
    Drive.concurrently(
        threads,
        t -> {
          for (int i = 0; i < callsEach; i++) {
            p.run(() -> track(running, maxSeen));
            done.incrementAndGet();
          }
        });
    assertThat(done.get()).isEqualTo(threads * callsEach);
    assertThat(maxSeen.get()).isLessThanOrEqualTo(limit).isGreaterThan(1);
    assertThat(bulkhead.availablePermits()).isEqualTo(limit);
  }

  @Test
  void builderNamesTheBadValue() {
    assertThatThrownBy(() -> BulkheadConfig.builder().maxConcurrent(0))
        .hasMessage("maxConcurrent must be positive, was 0");
    assertThatThrownBy(() -> BulkheadConfig.builder().maxWait(Duration.ofMillis(-5)))
        .hasMessage("maxWait must not be negative, was PT-0.005S");
  }

  /** A bulkhead "db" of {@code maxConcurrent} whose callers wait up to 5 s. */
  private static Bulkhead waitingUpTo5s(int maxConcurrent, VirtualScheduler scheduler) {
    return Bulkhead.of(
        "db",
        BulkheadConfig.builder()
            .maxConcurrent(maxConcurrent)
            .maxWait(Duration.ofSeconds(5))
            .build(),
        scheduler);
  }

  private static String blockOn(CountDownLatch latch) throws InterruptedException {
    latch.await();
    return "done";
  }
}
