package io.bulwark.test.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Scheduler}: delays are honoured, tasks run in due-time order, cancelled
 * tasks never run, periodic tasks repeat until cancelled. Both the system scheduler and the virtual
 * one pass it.
 */
public abstract class SchedulerCompatibilityKit implements CompatibilityKit<Scheduler> {

  @Test
  void runsTasksInDueTimeOrder() throws Exception {
    Scheduler scheduler = newSubject();
    List<String> ran = new CopyOnWriteArrayList<>();
    scheduler.schedule(Duration.ofMillis(30), () -> ran.add("c"));
    scheduler.schedule(Duration.ofMillis(10), () -> ran.add("a"));
    scheduler.schedule(Duration.ofMillis(20), () -> ran.add("b"));

    assertThat(time().passUntil(Duration.ofSeconds(5), () -> ran.size() == 3)).isTrue();
    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void doesNotRunBeforeTheDelay() throws Exception {
    Scheduler scheduler = newSubject();
    long start = scheduler.clock().nanoTime();
    AtomicInteger ranAtMillis = new AtomicInteger(-1);
    scheduler.schedule(
        Duration.ofMillis(50),
        () -> ranAtMillis.set((int) ((scheduler.clock().nanoTime() - start) / 1_000_000)));

    assertThat(time().passUntil(Duration.ofSeconds(5), () -> ranAtMillis.get() >= 0)).isTrue();
    assertThat(ranAtMillis.get()).isGreaterThanOrEqualTo(50);
  }

  @Test
  void cancelledTaskNeverRuns() throws Exception {
    Scheduler scheduler = newSubject();
    AtomicInteger cancelledRuns = new AtomicInteger();
    AtomicInteger laterRuns = new AtomicInteger();
    ScheduledTask task = scheduler.schedule(Duration.ofMillis(10), cancelledRuns::incrementAndGet);
    scheduler.schedule(Duration.ofMillis(40), laterRuns::incrementAndGet);

    assertThat(task.cancel()).isTrue();
    assertThat(task.isCancelled()).isTrue();
    assertThat(time().passUntil(Duration.ofSeconds(5), () -> laterRuns.get() == 1)).isTrue();
    assertThat(cancelledRuns.get()).isZero();
  }

  @Test
  void periodicTaskRepeatsUntilCancelled() throws Exception {
    Scheduler scheduler = newSubject();
    AtomicInteger runs = new AtomicInteger();
    ScheduledTask task =
        scheduler.scheduleAtFixedRate(
            Duration.ofMillis(5).toNanos(), Duration.ofMillis(5).toNanos(), runs::incrementAndGet);

    assertThat(time().passUntil(Duration.ofSeconds(5), () -> runs.get() >= 3)).isTrue();
    task.cancel();
    int afterCancel = runs.get();
    AtomicInteger marker = new AtomicInteger();
    scheduler.schedule(Duration.ofMillis(30), marker::incrementAndGet);
    assertThat(time().passUntil(Duration.ofSeconds(5), () -> marker.get() == 1)).isTrue();
    assertThat(runs.get()).isBetween(afterCancel, afterCancel + 1);
  }

  @Test
  void rejectsNegativeDelays() throws Exception {
    Scheduler scheduler = newSubject();
    assertThatThrownBy(() -> scheduler.schedule(-1, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(0, 0, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("periodNanos");
  }
}
