package io.bulwark.bench.resilience;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bulwark bench resilience}: circuit breaker, retry, rate limiter and a 4-policy pipeline, 1
 * and 2 threads, Bulwark against Resilience4j and Failsafe.
 *
 * <p>The machine is shared and its load drifts, so the sides are measured in alternating rounds: in
 * each round every operation is run for Bulwark, Resilience4j and Failsafe back to back (one JMH
 * fork each, the order rotating between rounds), and a row's ratio is the median of its per-round
 * ratios. The whole run holds the machine-wide JMH lock, so no other JMH run interleaves. The
 * headline ratio is the worst median Bulwark/Resilience4j ns/op over all rows (target ≤ 1.0);
 * {@code bulwark_max_bytes} is the largest Bulwark B/op (target 0).
 *
 * <p>Once per run, {@link KeyedRateLimiterBenchmark} measures the keyed rate limiter admitting a
 * new key past {@code maxKeys} (for 1,000 and 100,000 keys; no anchor, so outside the ratio) and
 * reports the slower as {@code keyed_new_key_ns}.
 *
 * <p>Arguments: {@code --quick} (1 round, short iterations), {@code rounds=N} (default 5).
 */
public final class ResilienceSuite implements BenchSuite {
  private static final List<String> OPERATIONS =
      List.of("circuitBreaker", "retry", "rateLimiter", "pipeline4");
  private static final List<String> SIDES = List.of("bulwark", "resilience4j", "failsafe");
  private static final List<Class<?>> THREADS =
      List.of(ResilienceOneThreadBenchmark.class, ResilienceTwoThreadBenchmark.class);

  @Override
  public String name() {
    return "resilience";
  }

  @Override
  public String description() {
    return "circuit breaker, retry, rate limiter, 4-policy pipeline: Bulwark vs Resilience4j and"
        + " Failsafe, 1 and 2 threads; keyed rate limiter admitting new keys past maxKeys";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    int rounds = quick ? 1 : 5;
    for (String arg : args) {
      if (arg.startsWith("rounds=")) {
        rounds = Integer.parseInt(arg.substring("rounds=".length()));
      }
    }
    PairedRounds table = new PairedRounds();
    Map<String, Double> keyed;
    try (FileChannel channel = openLock();
        FileLock lock = waitForLock(channel, out)) {
      // this JVM holds the machine-wide JMH lock for the whole comparison
      System.setProperty("jmh.ignoreLock", "true");
      for (int round = 0; round < rounds; round++) {
        out.printf("round %d of %d%n", round + 1, rounds);
        for (Class<?> benchmark : THREADS) {
          for (String operation : OPERATIONS) {
            for (int s = 0; s < SIDES.size(); s++) {
              String side = SIDES.get((s + round) % SIDES.size());
              measure(benchmark, operation, side, quick, table);
            }
          }
        }
      }
      out.println("keyed rate limiter");
      keyed = measureKeyed(quick);
    }
    out.println();
    out.println("== Bulwark vs Failsafe (medians over rounds) ==");
    double failsafe = table.print(out, "failsafe");
    out.println();
    out.println("== Bulwark vs Resilience4j (medians over rounds; target: ratio ≤ 1.0, 0 B/op) ==");
    double worst = table.print(out, "resilience4j");
    out.println();
    out.println("== Keyed rate limiter, 2 threads (no anchor; target: new key flat in maxKeys) ==");
    keyed.forEach((row, ns) -> out.printf("%-40s %10.1f ns/op%n", row, ns));
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("rounds", (double) rounds);
    metrics.put("bulwark_max_bytes", table.maxBulwarkBytes());
    metrics.put("worst_ratio_vs_failsafe", failsafe);
    metrics.put(
        "keyed_new_key_ns",
        keyed.entrySet().stream()
            .filter(e -> e.getKey().startsWith("newKeyPastMaxKeys"))
            .mapToDouble(Map.Entry::getValue)
            .max()
            .orElse(Double.NaN));
    return new BenchResult(name(), metrics, worst);
  }

  private static void measure(
      Class<?> benchmark, String operation, String side, boolean quick, PairedRounds table)
      throws Exception {
    String method = operation + "_" + side;
    Options options =
        new OptionsBuilder()
            .include("^" + Pattern.quote(benchmark.getName() + "." + method) + "$")
            .forks(1)
            .warmupIterations(quick ? 2 : 3)
            .warmupTime(TimeValue.milliseconds(quick ? 400 : 600))
            .measurementIterations(quick ? 3 : 4)
            .measurementTime(TimeValue.milliseconds(quick ? 400 : 600))
            .addProfiler(GCProfiler.class)
            .build();
    for (RunResult r : new Runner(options).run()) {
      var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      double bytes = alloc == null ? Double.NaN : alloc.getScore();
      String row = operation + " t=" + r.getParams().getThreads();
      table.add(row, side, new PairedRounds.Cell(r.getPrimaryResult().getScore(), bytes));
    }
  }

  /** The keyed limiter's rows, once per run: "method maxKeys=N" → ns/op. */
  private static Map<String, Double> measureKeyed(boolean quick) throws Exception {
    Options options =
        new OptionsBuilder()
            .include("^" + Pattern.quote(KeyedRateLimiterBenchmark.class.getName()) + "\\.")
            .forks(1)
            .warmupIterations(quick ? 2 : 3)
            .warmupTime(TimeValue.milliseconds(quick ? 400 : 600))
            .measurementIterations(quick ? 3 : 4)
            .measurementTime(TimeValue.milliseconds(quick ? 400 : 600))
            .build();
    Map<String, Double> rows = new LinkedHashMap<>();
    for (RunResult r : new Runner(options).run()) {
      String method = r.getParams().getBenchmark();
      rows.put(
          method.substring(method.lastIndexOf('.') + 1)
              + " maxKeys="
              + r.getParams().getParam("maxKeys"),
          r.getPrimaryResult().getScore());
    }
    return rows;
  }

  private static FileChannel openLock() throws java.io.IOException {
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  /** Waits (up to 30 minutes) for other JMH runs on this machine to finish. */
  private static FileLock waitForLock(FileChannel channel, PrintStream out) throws Exception {
    long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
    boolean told = false;
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("another JMH run held /tmp/jmh.lock for 30 minutes");
      }
      if (!told) {
        out.println("waiting for another JMH run on this machine to finish...");
        told = true;
      }
      Thread.sleep(2_000);
    }
  }
}
