package io.bulwark.bench.saga;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives one side at a fixed concurrency: {@code concurrency} starter threads, each running one
 * saga to completion and then the next (closed loop), for a warm-up and then a measured window. A
 * saga counts when it completes inside the window with the expected output; any other output or any
 * error stops the side and is reported.
 *
 * <p>The warm-up lasts its time and, beyond it, until the side has completed a number of sagas and
 * the JIT compiler has gone quiet (less than {@value #JIT_QUIET_MILLIS} ms of compilation in the
 * last second), at most four times its time: a side whose code the JIT compiler has not seen yet
 * (the first round of a run) warms up by work done, not by the clock alone, the same for every
 * side. On two shared cores a compiler still busy in the window takes CPU from the side and from
 * the database server alike (the first round of PostgreSQL at 16 starters read 0.38–0.47 of the
 * limit, the second 0.55–0.58, with twice the bench JVM's CPU per saga in the first), so each round
 * line also prints the compilation time inside its window.
 */
final class Load {
  /** Compilation per second of warm-up below which the JIT counts as quiet. */
  static final long JIT_QUIET_MILLIS = 20;

  private Load() {}

  /** What one side did in the measured window. */
  record Measured(
      String side,
      int concurrency,
      long completed,
      double seconds,
      long startedTotal,
      long completedTotal,
      long warmupSagas,
      double warmupSeconds,
      StepTimes times,
      Histogram sagaMicros,
      double[] cpuMicrosPerSaga,
      long jitMillisInWindow,
      List<String> errors) {
    double perSecond() {
      return completed / seconds;
    }
  }

  static Measured run(
      SagaDriver driver,
      String prefix,
      int concurrency,
      Duration warmup,
      long warmupSagas,
      Duration window)
      throws InterruptedException {
    long began = System.nanoTime();
    StepTimes times = new StepTimes();
    Histogram sagaMicros = new ConcurrentHistogram(3_600_000_000L, 3);
    AtomicLong seq = new AtomicLong();
    AtomicLong inWindow = new AtomicLong();
    AtomicLong completedTotal = new AtomicLong();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    Flags flags = new Flags();
    List<Thread> starters = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      Thread thread =
          Thread.ofPlatform()
              .name("saga-starter-" + t)
              .daemon()
              .start(
                  () -> {
                    while (!flags.stop && errors.isEmpty()) {
                      long n = seq.getAndIncrement();
                      String runId = prefix + "-" + n;
                      long t0 = System.nanoTime();
                      try {
                        String out = driver.runOne(runId, n, times);
                        if (!SagaDriver.expectedOutput(n).equals(out)) {
                          errors.add(
                              runId
                                  + ": output '"
                                  + out
                                  + "', expected '"
                                  + SagaDriver.expectedOutput(n)
                                  + "'");
                          return;
                        }
                      } catch (Exception | Error e) {
                        errors.add(runId + ": " + e);
                        return;
                      }
                      completedTotal.incrementAndGet();
                      if (flags.recording) {
                        inWindow.incrementAndGet();
                        sagaMicros.recordValue(
                            Math.min(3_600_000_000L, (System.nanoTime() - t0) / 1_000));
                      }
                    }
                  });
      starters.add(thread);
    }
    Thread.sleep(warmup.toMillis());
    long warmupEnd = began + warmup.toNanos() * 4;
    while (completedTotal.get() < warmupSagas
        && System.nanoTime() < warmupEnd
        && errors.isEmpty()) {
      Thread.sleep(20);
    }
    long jitBefore = jitMillis();
    while (System.nanoTime() < warmupEnd && errors.isEmpty()) {
      Thread.sleep(1_000);
      long jitNow = jitMillis();
      if (jitNow - jitBefore < JIT_QUIET_MILLIS) {
        break;
      }
      jitBefore = jitNow;
    }
    long warmedUp = completedTotal.get();
    long jitAtStart = jitMillis();
    Cpu cpuBefore = Cpu.now();
    long before = inWindow.get();
    long start = System.nanoTime();
    times.recording(true);
    flags.recording = true;
    Thread.sleep(window.toMillis());
    long sagasInWindow = inWindow.get() - before;
    Cpu cpuAfter = Cpu.now();
    long jitInWindow = jitMillis() - jitAtStart;
    flags.recording = false;
    times.recording(false);
    long end = System.nanoTime();
    flags.stop = true;
    for (Thread thread : starters) {
      if (!thread.join(Duration.ofSeconds(120))) {
        errors.add(thread.getName() + " still running 120 s after the window closed");
      }
    }
    return new Measured(
        driver.name(),
        concurrency,
        inWindow.get(),
        (end - start) / (double) TimeUnit.SECONDS.toNanos(1),
        seq.get(),
        completedTotal.get(),
        warmedUp,
        (start - began) / (double) TimeUnit.SECONDS.toNanos(1),
        times,
        sagaMicros,
        cpuAfter.microsPerSaga(cpuBefore, sagasInWindow),
        jitInWindow,
        List.copyOf(errors));
  }

  /** The JIT compilers' accumulated compilation time in milliseconds, -1 where not reported. */
  private static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }

  private static final class Flags {
    volatile boolean stop;
    volatile boolean recording;
  }
}
