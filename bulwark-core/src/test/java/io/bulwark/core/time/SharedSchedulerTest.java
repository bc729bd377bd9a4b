package io.bulwark.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SharedSchedulerTest {

  @Test
  void everyCallReturnsTheSameInstance() {
    Scheduler first = Scheduler.system();
    for (int i = 0; i < 10_000; i++) {
      assertThat(Scheduler.system()).isSameAs(first);
    }
  }

  @Test
  void itCannotBeClosedByAUserEvenByACast() {
    assertThat(Scheduler.system())
        .isNotInstanceOf(AutoCloseable.class)
        .isNotInstanceOf(SystemScheduler.class);
  }

  @Test
  void runsTasksAfterManyCallsAndAfterOwnedSchedulersWereClosed() throws InterruptedException {
    try (SystemScheduler a = SystemScheduler.create();
        SystemScheduler b = SystemScheduler.create()) {
      assertThat(a).isNotSameAs(b);
    }
    CountDownLatch ran = new CountDownLatch(100);
    for (int i = 0; i < 100; i++) {
      Scheduler.system().schedule(1_000_000L, ran::countDown);
    }
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void itsThreadIsNamedApartFromTheThreadsOfOwnedSchedulers() throws Exception {
    CompletableFuture<String> shared = new CompletableFuture<>();
    Scheduler.system().schedule(0, () -> shared.complete(Thread.currentThread().getName()));
    CompletableFuture<String> owned = new CompletableFuture<>();
    try (SystemScheduler s = SystemScheduler.create()) {
      s.schedule(0, () -> owned.complete(Thread.currentThread().getName()));
      assertThat(owned.get(10, TimeUnit.SECONDS)).isEqualTo("bulwark-scheduler");
    }
    assertThat(shared.get(10, TimeUnit.SECONDS)).isEqualTo("bulwark-shared-scheduler");
  }

  @Test
  void measuresOnTheSystemClock() {
    assertThat(Scheduler.system().clock()).isSameAs(Clock.system());
  }
}
