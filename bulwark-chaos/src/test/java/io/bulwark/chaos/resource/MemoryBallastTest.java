package io.bulwark.chaos.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.test.VirtualScheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryBallastTest {
  private static final long MIB = 1 << 20;
  private final VirtualScheduler scheduler = new VirtualScheduler();

  @Test
  void holdsTheBytesOnTheHeapUntilExpiryThenTheCollectorGetsThemBack() {
    long bytes = 64 * MIB + 123; // not a whole number of chunks
    long baseline = heapUsedAfterGc();
    MemoryBallast ballast = MemoryBallast.hold(bytes, Duration.ofSeconds(20), scheduler);

    assertThat(ballast.heldBytes()).isEqualTo(bytes);
    assertThat(heapUsedAfterGc() - baseline).isGreaterThanOrEqualTo(bytes - 8 * MIB);

    scheduler.advance(Duration.ofMillis(19_999));
    assertThat(ballast.active()).isTrue();
    scheduler.advance(Duration.ofMillis(1));

    assertThat(ballast.active()).isFalse();
    assertThat(ballast.heldBytes()).isZero();
    assertThat(heapUsedAfterGc() - baseline).isLessThan(bytes / 2);
  }

  @Test
  void releaseDropsItAtOnceAndCancelsTheExpiry() {
    MemoryBallast ballast = MemoryBallast.hold(8 * MIB, Duration.ofMinutes(5), scheduler);
    assertThat(scheduler.pendingTasks()).isEqualTo(1);

    ballast.release();
    ballast.close(); // idempotent

    assertThat(ballast.heldBytes()).isZero();
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(ballast.toString()).contains("released");
  }

  @Test
  void bytesAreBoundedByAFractionOfTheMaxHeapAndTheErrorNamesThem() {
    long max = MemoryBallast.maxBytes(MemoryBallast.DEFAULT_MAX_FRACTION);
    assertThat(max).isEqualTo((long) (Runtime.getRuntime().maxMemory() * 0.5));
    for (long bad : new long[] {0, -1, max + 1, Long.MAX_VALUE}) {
      assertThatThrownBy(() -> MemoryBallast.hold(bad, Duration.ofSeconds(1), scheduler))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("memory ballast bytes must be in 1.." + max)
          .hasMessageContaining("was " + bad);
    }
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void theFractionItselfIsBounded() {
    for (double bad : new double[] {0, -0.1, 0.81, Double.NaN, 1}) {
      assertThatThrownBy(() -> MemoryBallast.hold(MIB, bad, Duration.ofSeconds(1), scheduler))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("max heap fraction must be in (0, 0.8]")
          .hasMessageContaining("was " + bad);
    }
    assertThatThrownBy(() -> MemoryBallast.hold(MIB, Duration.ZERO, scheduler))
        .hasMessageContaining("memory ballast duration must be in (0, PT1H], was PT0S");
  }

  private static long heapUsedAfterGc() {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    return mx.getHeapMemoryUsage().getUsed();
  }
}
