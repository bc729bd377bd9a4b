package io.bulwark.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.chaos.resource.CpuBurn;
import io.bulwark.chaos.resource.MemoryBallast;
import io.bulwark.test.VirtualScheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CPU burn and memory ballast started through {@link Chaos#start}: they act while the fault is
 * active, and {@code clear}, {@code clearAll} and expiry each stop them. The built-in effects run
 * as they do in production; a thin recorder around them keeps the handle {@code Chaos} got, so that
 * the burn's threads and the ballast's held bytes can be checked after {@code Chaos} closed it.
 */
class AmbientFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long BALLAST = 8L << 20;

  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final List<CpuBurn> burns = new CopyOnWriteArrayList<>();
  private final List<MemoryBallast> ballasts = new CopyOnWriteArrayList<>();
  private final Chaos chaos =
      Chaos.builder()
          .config(ChaosConfig.enabledDefaults())
          .scheduler(scheduler)
          .ambient(Fault.CpuBurn.class, recording(Fault.CpuBurn.class, CpuBurn.class, burns::add))
          .ambient(
              Fault.MemoryBallast.class,
              recording(Fault.MemoryBallast.class, MemoryBallast.class, ballasts::add))
          .build();

  private static <T> AmbientEffect recording(
      Class<? extends Fault> type, Class<T> handle, Consumer<T> out) {
    AmbientEffect builtIn = AmbientEffects.builtIn().get(type);
    return (fault, duration, s) -> {
      AutoCloseable h = builtIn.start(fault, duration, s);
      out.accept(handle.cast(h));
      return h;
    };
  }

  @AfterEach
  void close() throws InterruptedException {
    chaos.close();
    for (CpuBurn b : burns) {
      b.stop();
      b.awaitStopped(WAIT);
    }
  }

  /** Burn threads alive before the test's own burn (none expected; another test's straggler). */
  private final java.util.Set<Thread> before = java.util.Set.copyOf(burnThreads());

  private ActiveFault burn(Duration life) {
    return chaos.start(new Fault.CpuBurn(1), BlastRadius.everything(), life);
  }

  private ActiveFault ballast(Duration life) {
    return chaos.start(new Fault.MemoryBallast(BALLAST), BlastRadius.everything(), life);
  }

  /** The live CPU burn threads, found by their name. */
  private static List<Thread> burnThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("chaos-cpu-burn-") && t.isAlive())
        .toList();
  }

  /** The live threads of the burns this test started. */
  private List<Thread> ownBurnThreads() {
    return burnThreads().stream().filter(t -> !before.contains(t)).toList();
  }

  /** Waits until {@code burn} has spent at least 20 ms of CPU (it acts); bounded. */
  private void assertBurning(CpuBurn burn) throws InterruptedException {
    assertThat(burn.awaitBurning(WAIT)).isTrue();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long giveUp = System.nanoTime() + WAIT.toNanos();
    long work = burn.work();
    while (burn.work() <= work + 10) {
      assertThat(System.nanoTime() - giveUp).as("the burn did no work").isNegative();
      Thread.onSpinWait();
    }
    long[] cpu =
        ownBurnThreads().stream()
            .mapToLong(t -> mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(t.threadId()) : 1)
            .toArray();
    assertThat(Arrays.stream(cpu).sum()).isPositive();
  }

  private void assertStopped(CpuBurn burn) throws InterruptedException {
    assertThat(burn.active()).isFalse();
    assertThat(burn.awaitStopped(WAIT)).as("burn threads ended").isTrue();
    long work = burn.work();
    assertThat(ownBurnThreads()).isEmpty();
    assertThat(burn.work()).isEqualTo(work); // no thread left to add to it
  }

  @Test
  void cpuBurnSpinsItsThreadsUntilClearedThenTheyEnd() throws Exception {
    ActiveFault f = burn(Duration.ofMinutes(5));
    CpuBurn b = burns.getFirst();
    assertThat(b.threads()).isEqualTo(1);
    assertBurning(b);
    assertThat(ownBurnThreads()).hasSize(1);
    assertThat(chaos.clear(f.id())).isTrue();
    assertStopped(b);
  }

  @Test
  void cpuBurnEndsWithClearAllAndAtItsExpiry() throws Exception {
    burn(Duration.ofMinutes(5));
    assertBurning(burns.getFirst());
    assertThat(chaos.clearAll()).isEqualTo(1);
    assertStopped(burns.getFirst());

    burn(Duration.ofSeconds(30));
    CpuBurn second = burns.get(1);
    assertBurning(second);
    scheduler.advance(Duration.ofMillis(29_999));
    assertThat(second.active()).isTrue();
    assertThat(ownBurnThreads()).hasSize(1);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(chaos.active()).isEmpty();
    assertStopped(second);
  }

  @Test
  void memoryBallastHoldsItsBytesUntilClearedAndIsReleasedByClearClearAllAndExpiry() {
    ActiveFault first = ballast(Duration.ofMinutes(5));
    MemoryBallast a = ballasts.getFirst();
    assertThat(a.heldBytes()).isEqualTo(BALLAST);
    chaos.clear(first.id());
    assertThat(a.active()).isFalse();
    assertThat(a.heldBytes()).isZero();

    ballast(Duration.ofMinutes(5));
    MemoryBallast b = ballasts.get(1);
    assertThat(b.heldBytes()).isEqualTo(BALLAST);
    chaos.clearAll();
    assertThat(b.heldBytes()).isZero();

    ballast(Duration.ofSeconds(10));
    MemoryBallast c = ballasts.get(2);
    scheduler.advance(Duration.ofMillis(9_999));
    assertThat(c.heldBytes()).isEqualTo(BALLAST);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(chaos.active()).isEmpty();
    assertThat(c.heldBytes()).isZero();
  }

  @Test
  void aBallastLargerThanTheHeapBoundIsRefusedNamingTheBytesAndNothingStarts() {
    long tooBig = MemoryBallast.maxBytes(MemoryBallast.DEFAULT_MAX_FRACTION) + 1;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                chaos.start(
                    new Fault.MemoryBallast(tooBig),
                    BlastRadius.everything(),
                    Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Long.toString(tooBig));
    assertThat(chaos.active()).isEmpty();
    assertThat(ballasts).isEmpty();
  }
}
