package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    Bulkhead bulkhead =
        Bulkhead.of(
            "db",
            BulkheadConfig.builder().maxConcurrent(1).maxWait(Duration.ofSeconds(5)).build(),
            scheduler);
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
    Bulkhead bulkhead =
        Bulkhead.of(
            "db",
            BulkheadConfig.builder().maxConcurrent(1).maxWait(Duration.ofSeconds(5)).build(),
            scheduler);
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
    int limit = 4;
    Bulkhead bulkhead =
        Bulkhead.of(
            "db",
            BulkheadConfig.builder().maxConcurrent(limit).maxWait(Duration.ofDays(1)).build(),
            scheduler);
    Pipeline p = Pipeline.of(bulkhead);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    int threads = 16;
    int callsEach = 2_000;
    try (var pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < callsEach; i++) {
                    p.run(
                        () -> {
                          int now = running.incrementAndGet();
                          maxSeen.accumulateAndGet(now, Math::max);
                          Thread.yield();
                          running.decrementAndGet();
                        });
                    done.incrementAndGet();
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
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

  private static String blockOn(CountDownLatch latch) throws InterruptedException {
    latch.await();
    return "done";
  }
}
