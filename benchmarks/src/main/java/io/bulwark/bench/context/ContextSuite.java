package io.bulwark.bench.context;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

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
    JmhTable table = JmhTable.run(ContextPropagationBenchmark.class, quick, 5);
    double ratio = table.print(out, "threadlocal");
    JmhTable.Cell bulwark = table.rows().values().iterator().next().get("bulwark");
    return new BenchResult(
        name(), Map.of("bulwark_ns", bulwark == null ? Double.NaN : bulwark.nsPerOp()), ratio);
  }
}
