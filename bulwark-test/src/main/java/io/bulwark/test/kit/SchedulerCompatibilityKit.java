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
    List<Integer> ran = new CopyOnWriteArrayList<>();
    long[] delaysMillis = {300, 100, 200};
    long[] earliestDue = new long[3];
    long[] latestDue = new long[3];
    for (int i = 0; i < 3; i++) {
      int task = i;
      long delayNanos = Duration.ofMillis(delaysMillis[i]).toNanos();
      earliestDue[i] = scheduler.clock().nanoTime() + delayNanos;
      scheduler.schedule(delayNanos, () -> ran.add(task));
      latestDue[i] = scheduler.clock().nanoTime() + delayNanos;
    }

    assertThat(time().passUntil(Duration.ofSeconds(10), () -> ran.size() == 3)).isTrue();
    // Every pair whose due instants are certainly ordered (the scheduling thread may be paused
    // between calls on a loaded machine, so each due instant is known within a window) ran in
    // that order. With virtual time the windows are points, so the whole order is checked.
    int checkedPairs = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (latestDue[i] < earliestDue[j]) {
          assertThat(ran.indexOf(i))
              .as("task %d (due first) ran before task %d", i, j)
              .isLessThan(ran.indexOf(j));
          checkedPairs++;
        }
      }
    }
    assertThat(checkedPairs).as("pairs with a certain order").isPositive();
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
    ScheduledTask task = scheduler.schedule(Duration.ofMillis(500), cancelledRuns::incrementAndGet);
    scheduler.schedule(Duration.ofMillis(700), laterRuns::incrementAndGet);

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
