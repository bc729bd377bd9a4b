package io.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.Deadline;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.VirtualTimeExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class TimeoutTest {

  @Test
  void expiresAtTheConfiguredTimeAndInterruptsTheWork(VirtualScheduler scheduler) throws Exception {
    Timeout timeout = Timeout.of("t", Duration.ofMillis(500), scheduler);
    CountDownLatch interrupted = new CountDownLatch(1);
    CompletableFuture<String> call =
        Pipeline.of(timeout)
            .submit(
                () -> {
                  try {
                    new CountDownLatch(1).await();
                  } catch (InterruptedException e) {
                    interrupted.countDown();
                  }
                  return "late";
                });
    Drive.untilPending(scheduler, 1);
    scheduler.advance(Duration.ofMillis(499));
    assertThat(call).isNotDone();
    scheduler.advance(Duration.ofMillis(1));

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutExceededException.class)
        .cause()
        .hasMessage("timeout 't' expired after PT0.5S");
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void usesTheRemainingDeadlineWhenItIsShorter(VirtualScheduler scheduler) throws Exception {
    Timeout timeout = Timeout.of("t", Duration.ofSeconds(5), scheduler);
    Context context =
        Context.root().withDeadline(Deadline.after(Duration.ofSeconds(2), scheduler.clock()));
    AtomicLong innerDeadline = new AtomicLong();
    CompletableFuture<String> call =
        context.call(
            () ->
                Pipeline.of(timeout)
                    .submit(
                        () -> {
                          innerDeadline.set(
                              java.util.Objects.requireNonNull(Context.current().deadline())
                                  .remainingNanos());
                          new CountDownLatch(1).await();
                          return "never";
                        }));
    Drive.untilPending(scheduler, 1);
    Drive.until(() -> innerDeadline.get() != 0);
    assertThat(innerDeadline.get()).isEqualTo(Duration.ofSeconds(2).toNanos());
    scheduler.advance(Duration.ofSeconds(2));

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DeadlineExceededException.class);
  }

  @Test
  void doesNotStartWorkWhoseDeadlineHasPassed(VirtualScheduler scheduler) throws Exception {
    Timeout timeout = Timeout.of("t", Duration.ofSeconds(5), scheduler);
    Context context =
        Context.root().withDeadline(Deadline.after(Duration.ofSeconds(1), scheduler.clock()));
    scheduler.advance(Duration.ofSeconds(1));
    int[] calls = {0};
    assertThatThrownBy(
            () ->
                context.call(
                    () ->
                        Pipeline.builder()
                            .with(timeout)
                            .inOrderGiven()
                            .build()
                            .get(() -> calls[0]++)))
        .isInstanceOf(DeadlineExceededException.class);
    assertThat(calls[0]).isZero();
  }

  @Test
  void fastWorkReturnsItsValueAndCancelsTheTimer(VirtualScheduler scheduler) throws Exception {
    Timeout timeout = Timeout.of("t", Duration.ofSeconds(1), scheduler);
    assertThat(Pipeline.of(timeout).get(() -> "fast")).isEqualTo("fast");
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void asyncStageIsCancelledOnExpiry(VirtualScheduler scheduler) {
    Timeout timeout = Timeout.of("t", Duration.ofSeconds(1), scheduler);
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletableFuture<String> result = Pipeline.of(timeout).stage(() -> never);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(result).isCompletedExceptionally();
    assertThat(never).isCancelled();
  }

  @Test
  void rejectsANonPositiveTimeout() {
    assertThatThrownBy(() -> TimeoutConfig.of(Duration.ZERO))
        .hasMessage("timeout must be positive, was PT0S");
  }

  @Test
  void manyConcurrentTimeoutsReturnEveryPermitOnceTheirWorkStops(VirtualScheduler scheduler)
      throws Exception {
    Bulkhead bulkhead =
        Bulkhead.of("bh", BulkheadConfig.builder().maxConcurrent(64).build(), scheduler);
    Pipeline p = Pipeline.of(bulkhead, Timeout.of("t", Duration.ofMillis(100), scheduler));
    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      calls.add(
          p.submit(
              () -> {
                new CountDownLatch(1).await();
                return "never";
              }));
    }
    // the timers are armed by the callers, the permits taken by the workers: wait for both
    Drive.until(() -> scheduler.pendingTasks() == 64 && bulkhead.availablePermits() == 0);
    scheduler.advance(Duration.ofMillis(100));
    for (CompletableFuture<String> c : calls) {
      assertThatThrownBy(() -> c.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TimeoutExceededException.class);
    }
    Drive.until(() -> bulkhead.availablePermits() == 64);
  }
}
