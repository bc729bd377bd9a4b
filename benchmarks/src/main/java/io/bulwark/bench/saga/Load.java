package io.bulwark.bench.saga;

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
 */
final class Load {
  private Load() {}

  /** What one side did in the measured window. */
  record Measured(
      String side,
      int concurrency,
      long completed,
      double seconds,
      long startedTotal,
      long completedTotal,
      StepTimes times,
      Histogram sagaMicros,
      List<String> errors) {
    double perSecond() {
      return completed / seconds;
    }
  }

  static Measured run(
      SagaDriver driver, String prefix, int concurrency, Duration warmup, Duration window)
      throws InterruptedException {
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
    long start = System.nanoTime();
    times.recording(true);
    flags.recording = true;
    Thread.sleep(window.toMillis());
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
        times,
        sagaMicros,
        List.copyOf(errors));
  }

  private static final class Flags {
    volatile boolean stop;
    volatile boolean recording;
  }
}
