package io.bulwark.chaos.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.ActiveFault;
import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.FaultSpec;
import io.bulwark.core.context.Context;
import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.fault.FaultInjectedException;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.core.time.Clock;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The clock point (skew through the chaos clock) and the user point {@code Chaos.point}. */
class ClockAndUserPointTest {
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final Chaos chaos =
      Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build();

  @AfterEach
  void close() {
    chaos.close();
    scheduler.advance(Duration.ofHours(2));
  }

  @Test
  void clockSkewShiftsWallTimeOfTheTargetedServiceOnlyAndNeverMonotonicTime() {
    Clock base = scheduler.clock();
    Clock payments = chaos.clock(base, "payments");
    Clock orders = chaos.clock(base, "orders");
    assertThat(payments.wallMillis()).isEqualTo(base.wallMillis());

    ActiveFault skew =
        chaos.start(
            new Fault.ClockSkew(Duration.ofSeconds(-90)),
            BlastRadius.builder().points(FaultPointKind.CLOCK).service("payments").build(),
            Duration.ofMinutes(10));
    assertThat(payments.wallMillis()).isEqualTo(base.wallMillis() - 90_000);
    assertThat(payments.nanoTime()).isEqualTo(base.nanoTime());
    assertThat(orders.wallMillis()).isEqualTo(base.wallMillis());

    // the skew ends with the fault, in virtual time
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(chaos.active()).doesNotContain(skew);
    assertThat(payments.wallMillis()).isEqualTo(base.wallMillis());
  }

  @Test
  void userPointRaisesTheGivenExceptionOnlyForItsName() {
    chaos.start(
        Fault.Raise.of("java.lang.IllegalStateException", "cache down"),
        BlastRadius.builder().points(FaultPointKind.USER).route("cache.read").build(),
        Duration.ofMinutes(1));
    Chaos.point("cache.write"); // another point: nothing happens
    assertThatThrownBy(() -> Chaos.point("cache.read"))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("cache down");
  }

  @Test
  void userPointLatencyWaitsOnTheSchedulerUntilTheDelayPasses() throws Exception {
    chaos.start(
        Fault.Latency.of(Duration.ofMillis(250)),
        BlastRadius.builder().points(FaultPointKind.USER).build(),
        Duration.ofMinutes(1));
    CompletableFuture<Void> call = CompletableFuture.runAsync(() -> Chaos.point("slow"));
    awaitPending(2);
    scheduler.advance(Duration.ofMillis(249));
    assertThat(call).isNotDone();
    scheduler.advance(Duration.ofMillis(1));
    call.get(10, TimeUnit.SECONDS);
  }

  @Test
  void userPointBlackholeEndsAtTheDeadlineOrWithTheFault() throws Exception {
    chaos.start(
        new Fault.Blackhole(),
        BlastRadius.builder().points(FaultPointKind.USER).build(),
        Duration.ofMinutes(1));
    Context ctx = Context.root().withTimeout(Duration.ofSeconds(2), scheduler.clock());
    CompletableFuture<Void> withDeadline =
        CompletableFuture.runAsync(() -> ctx.run(() -> Chaos.point("x")));
    awaitPending(2);
    scheduler.advance(Duration.ofSeconds(2));
    assertThatThrownBy(() -> withDeadline.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DeadlineExceededException.class);

    // without a deadline the hang lasts as long as the fault (58 s left of its minute)
    CompletableFuture<Void> without = CompletableFuture.runAsync(() -> Chaos.point("x"));
    awaitPending(2);
    scheduler.advance(Duration.ofSeconds(57));
    assertThat(without).isNotDone();
    scheduler.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> without.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(FaultInjectedException.class);
  }

  @Test
  void userPointOutsideItsCohortNeverFaultsOver2000Calls() throws Exception {
    chaos.start(
        FaultSpec.of(
                Fault.Raise.of("java.lang.IllegalStateException", "in cohort"),
                BlastRadius.builder().points(FaultPointKind.USER).cohort("game-day").build(),
                Duration.ofMinutes(1))
            .inExperiment("game-day"));
    int faulted = 0;
    for (int i = 0; i < 2000; i++) {
      Context ctx = Context.root().withCorrelationId("u-" + i);
      if (i % 2 == 0) {
        ctx = ctx.withBaggage("chaos.experiment", "game-day");
      }
      try {
        ctx.call(
            () -> {
              Chaos.point("checkout");
              return null;
            });
      } catch (IllegalStateException e) {
        assertThat(i % 2).isZero();
        faulted++;
      }
    }
    assertThat(faulted).isEqualTo(1000);
  }

  private void awaitPending(int n) {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (scheduler.pendingTasks() < n) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("the scheduler never held " + n + " tasks");
      }
      Thread.onSpinWait();
    }
  }
}
