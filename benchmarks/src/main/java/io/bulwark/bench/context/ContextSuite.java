package io.bulwark.bench.context;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** {@code bulwark bench context}: ScopedValue context binding vs ThreadLocal set/restore. */
public final class ContextSuite implements BenchSuite {
  @Override
  public String name() {
    return "context";
  }

  @Override
  public String description() {
    return "bind + read a request context: Bulwark Context (ScopedValue) vs ThreadLocal";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    Options options =
        new OptionsBuilder()
            .include(ContextPropagationBenchmark.class.getName())
            .forks(quick ? 1 : 2)
            .warmupIterations(quick ? 2 : 5)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(quick ? 3 : 5)
            .measurementTime(TimeValue.seconds(1))
            .addProfiler(GCProfiler.class)
            .build();
    JmhTable table = JmhTable.of(new Runner(options).run());
    double ratio = table.print(out, "threadlocal");
    JmhTable.Cell bulwark = table.rows().values().iterator().next().get("bulwark");
    return new BenchResult(
        name(), Map.of("bulwark_ns", bulwark == null ? Double.NaN : bulwark.nsPerOp()), ratio);
  }
}
