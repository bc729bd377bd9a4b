package io.bulwark.chaos.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualScheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CpuBurnTest {
  private final VirtualScheduler scheduler = new VirtualScheduler();

  @Test
  void burnsOnItsThreadsUntilItExpiresThenEveryThreadEnds() throws Exception {
    try (CpuBurn burn = CpuBurn.start(1, Duration.ofSeconds(30), scheduler)) {
      assertThat(burn.awaitBurning(Duration.ofSeconds(10))).isTrue();
      long before = burn.work();
      // the burn goes on while its duration has not passed: its work keeps growing
      scheduler.advance(Duration.ofSeconds(29));
      while (burn.work() <= before) {
        Thread.onSpinWait();
      }
      assertThat(burn.active()).isTrue();
      assertThat(burnCpuNanos()).isPositive();

      scheduler.advance(Duration.ofSeconds(1));

      assertThat(burn.active()).isFalse();
      assertThat(burn.awaitStopped(Duration.ofSeconds(10))).isTrue();
      assertThat(burnThreads()).isEmpty();
      long after = burn.work();
      scheduler.advance(Duration.ofMinutes(5));
      assertThat(burn.work()).isEqualTo(after);
    }
  }

  @Test
  void stopEndsTheBurnBeforeItsExpiryAndCancelsTheTimer() throws Exception {
    CpuBurn burn = CpuBurn.start(2, Duration.ofMinutes(10), scheduler);
    assertThat(burn.awaitBurning(Duration.ofSeconds(10))).isTrue();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);

    burn.stop();
    burn.stop(); // idempotent

    assertThat(burn.awaitStopped(Duration.ofSeconds(10))).isTrue();
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(burn.toString()).contains("2 threads", "ended");
  }

  @Test
  void threadsAreBoundedByTheProcessorsAndNamedWhenOutOfRange() {
    int max = Runtime.getRuntime().availableProcessors();
    for (int bad : new int[] {0, -1, max + 1, Integer.MAX_VALUE}) {
      assertThatThrownBy(() -> CpuBurn.start(bad, Duration.ofSeconds(1), scheduler))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cpu burn threads must be 1.." + max)
          .hasMessageContaining("was " + bad);
    }
    assertThat(burnThreads()).isEmpty();
  }

  @Test
  void durationIsPositiveAndAtMostAnHour() {
    for (Duration bad :
        new Duration[] {Duration.ZERO, Duration.ofMillis(-1), Duration.ofHours(1).plusNanos(1)}) {
      assertThatThrownBy(() -> CpuBurn.start(1, bad, scheduler))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cpu burn duration must be in (0, PT1H]")
          .hasMessageContaining("was " + bad);
    }
    assertThat(burnThreads()).isEmpty();
  }

  private static Thread[] burnThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("chaos-cpu-burn-") && t.isAlive())
        .toArray(Thread[]::new);
  }

  private static long burnCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    return Arrays.stream(burnThreads()).mapToLong(t -> mx.getThreadCpuTime(t.threadId())).sum();
  }
}
