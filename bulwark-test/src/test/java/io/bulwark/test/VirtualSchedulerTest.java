package io.bulwark.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.time.Scheduler;
import io.bulwark.test.kit.SchedulerCompatibilityKit;
import io.bulwark.test.kit.TimeDriver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VirtualTimeExtension.class)
class VirtualSchedulerTest extends SchedulerCompatibilityKit {
  private final VirtualScheduler scheduler = new VirtualScheduler();

  @Override
  public Scheduler newSubject() {
    return scheduler;
  }

  @Override
  public TimeDriver time() {
    return TimeDriver.virtual(scheduler, Duration.ofMillis(1));
  }

  @Test
  void runsTasksInTimeOrderAndRecordsTheTimeline() {
    scheduler.schedule(Duration.ofMillis(300), () -> scheduler.record("c"));
    scheduler.schedule(Duration.ofMillis(100), () -> scheduler.record("a"));
    scheduler.schedule(Duration.ofMillis(200), () -> scheduler.record("b1"));
    scheduler.schedule(Duration.ofMillis(200), () -> scheduler.record("b2"));

    scheduler.advance(Duration.ofMillis(250));
    assertThat(scheduler.timeline())
        .extracting(TimelineEntry::toString)
        .containsExactly("100ms a", "200ms b1", "200ms b2");
    assertThat(scheduler.pendingTasks()).isEqualTo(1);

    scheduler.advance(Duration.ofSeconds(1));
    assertThat(scheduler.timeline())
        .extracting(TimelineEntry::event)
        .containsExactly("a", "b1", "b2", "c");
    assertThat(scheduler.clock().nanoTime()).isEqualTo(Duration.ofMillis(1250).toNanos());
  }

  @Test
  void tasksScheduledByTasksRunInTheSameAdvanceWhenDue() {
    scheduler.schedule(
        Duration.ofMillis(10),
        () -> {
          scheduler.record("first");
          scheduler.schedule(Duration.ofMillis(5), () -> scheduler.record("nested"));
          scheduler.schedule(Duration.ofMillis(500), () -> scheduler.record("too late"));
        });
    scheduler.advance(Duration.ofMillis(100));
    assertThat(scheduler.timeline())
        .extracting(TimelineEntry::toString)
        .containsExactly("10ms first", "15ms nested");
  }

  @Test
  void nothingRunsUntilTimeIsAdvanced() {
    AtomicInteger runs = new AtomicInteger();
    scheduler.schedule(0, runs::incrementAndGet);
    assertThat(runs.get()).isZero();
    scheduler.runDue();
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void periodicTasksRunAtEachPeriodBoundary() {
    scheduler.scheduleAtFixedRate(
        Duration.ofMillis(100).toNanos(),
        Duration.ofMillis(100).toNanos(),
        () -> scheduler.record("tick"));
    scheduler.advance(Duration.ofMillis(350));
    assertThat(scheduler.timeline())
        .extracting(e -> e.at().toMillis())
        .containsExactly(100L, 200L, 300L);
  }

  @Test
  void advanceToNextTaskJumpsExactlyToIt() {
    scheduler.schedule(Duration.ofSeconds(42), () -> scheduler.record("answer"));
    assertThat(scheduler.advanceToNextTask()).isTrue();
    assertThat(scheduler.timeline())
        .containsExactly(new TimelineEntry(Duration.ofSeconds(42), "answer"));
    assertThat(scheduler.advanceToNextTask()).isFalse();
  }

  @Test
  void extensionInjectsOneSchedulerAndItsClockPerTest(
      VirtualScheduler injected, VirtualClock clock, Scheduler asScheduler) {
    assertThat(asScheduler).isSameAs(injected);
    assertThat(injected.clock()).isSameAs(clock);
    injected.advance(Duration.ofSeconds(3));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(3));
    assertThat(List.of(injected)).doesNotContain(scheduler);
  }
}
