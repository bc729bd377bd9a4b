package io.bulwark.bench.resilience;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bulwark bench resilience}: circuit breaker, retry, rate limiter and a 4-policy pipeline, 1
 * and 2 threads, Bulwark against Resilience4j and Failsafe in one run. The headline ratio is the
 * worst Bulwark/Resilience4j ns/op over all rows (target ≤ 1.0); {@code bulwark_max_bytes} is the
 * largest Bulwark B/op (target 0).
 */
public final class ResilienceSuite implements BenchSuite {
  @Override
  public String name() {
    return "resilience";
  }

  @Override
  public String description() {
    return "circuit breaker, retry, rate limiter, 4-policy pipeline: Bulwark vs Resilience4j and"
        + " Failsafe, 1 and 2 threads";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    Options options =
        new OptionsBuilder()
            .include(ResilienceOneThreadBenchmark.class.getName())
            .include(ResilienceTwoThreadBenchmark.class.getName())
            .forks(quick ? 1 : 2)
            .warmupIterations(quick ? 2 : 4)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(quick ? 3 : 5)
            .measurementTime(TimeValue.seconds(1))
            .addProfiler(GCProfiler.class)
            .build();
    Collection<RunResult> results = new Runner(options).run();
    JmhTable table = JmhTable.of(results);
    out.println();
    out.println("== Bulwark vs Failsafe ==");
    double failsafe = table.print(out, "failsafe");
    out.println();
    out.println("== Bulwark vs Resilience4j (target: ratio ≤ 1.0 and 0 B/op on every row) ==");
    double worst = table.print(out, "resilience4j");
    double maxBytes = 0;
    for (Map<String, JmhTable.Cell> row : table.rows().values()) {
      JmhTable.Cell b = row.get("bulwark");
      if (b != null) {
        // NaN (no GC profiler figure) must show as NaN, never as a reassuring 0
        maxBytes = Double.isNaN(b.bytesPerOp()) ? Double.NaN : Math.max(maxBytes, b.bytesPerOp());
        if (Double.isNaN(maxBytes)) {
          break;
        }
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("bulwark_max_bytes", maxBytes);
    metrics.put("worst_ratio_vs_failsafe", failsafe);
    return new BenchResult(name(), metrics, worst);
  }
}
