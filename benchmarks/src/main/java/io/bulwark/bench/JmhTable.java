package io.bulwark.bench;

import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Turns JMH results into a table of rows {@code (operation, threads) -> (bulwark, anchor)} with
 * ns/op, B/op and the ratio. Benchmark methods are named {@code <operation>_<side>} where side is
 * {@code bulwark} or an anchor name; the thread count comes from the run's params.
 */
public final class JmhTable {
  /** One measured cell. */
  public record Cell(double nsPerOp, double nsError, double bytesPerOp) {}

  private final Map<String, Map<String, Cell>> rows = new LinkedHashMap<>();

  /**
   * Runs one benchmark class the way the side-by-side suites do (GC profiler, 1 s iterations):
   * {@code --quick} is 1 fork × 2 warm-up × 3 measured, otherwise 2 forks × 5 warm-up × {@code
   * measurementIterations}.
   */
  public static JmhTable run(Class<?> benchmark, boolean quick, int measurementIterations)
      throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(benchmark.getName())
            .forks(quick ? 1 : 2)
            .warmupIterations(quick ? 2 : 5)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(quick ? 3 : measurementIterations)
            .measurementTime(TimeValue.seconds(1))
            .addProfiler(GCProfiler.class)
            .build();
    return of(new Runner(options).run());
  }

  public static JmhTable of(Collection<RunResult> results) {
    JmhTable table = new JmhTable();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String method = label.substring(label.lastIndexOf('.') + 1);
      int split = method.lastIndexOf('_');
      String operation = method.substring(0, split) + " t=" + r.getParams().getThreads();
      String side = method.substring(split + 1);
      double ns = r.getPrimaryResult().getScore();
      double err = r.getPrimaryResult().getScoreError();
      var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      if (alloc == null) {
        alloc = r.getSecondaryResults().get("·gc.alloc.rate.norm");
      }
      double bytes = alloc == null ? Double.NaN : alloc.getScore();
      table
          .rows
          .computeIfAbsent(operation, k -> new LinkedHashMap<>())
          .put(side, new Cell(ns, err, bytes));
    }
    return table;
  }

  public Map<String, Map<String, Cell>> rows() {
    return rows;
  }

  /** Prints one line per operation and anchor, returns the worst (largest) bulwark/anchor ratio. */
  public double print(PrintStream out, String anchor) {
    out.printf(
        Locale.ROOT,
        "%-34s %14s %10s %14s %10s %8s%n",
        "operation",
        "bulwark ns/op",
        "B/op",
        anchor + " ns/op",
        "B/op",
        "ratio");
    double worst = 0;
    for (Map.Entry<String, Map<String, Cell>> row : rows.entrySet()) {
      Cell b = row.getValue().get("bulwark");
      Cell a = row.getValue().get(anchor);
      if (b == null || a == null) {
        continue;
      }
      double ratio = b.nsPerOp() / a.nsPerOp();
      worst = Math.max(worst, ratio);
      out.printf(
          Locale.ROOT,
          "%-34s %8.1f ±%4.1f %10.1f %8.1f ±%4.1f %10.1f %8.3f%n",
          row.getKey(),
          b.nsPerOp(),
          b.nsError(),
          b.bytesPerOp(),
          a.nsPerOp(),
          a.nsError(),
          a.bytesPerOp(),
          ratio);
    }
    return worst;
  }
}
