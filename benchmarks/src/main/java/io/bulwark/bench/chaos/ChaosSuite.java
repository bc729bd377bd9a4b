package io.bulwark.bench.chaos;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bulwark bench chaos}: the cost of an installed but inactive fault injection point on the
 * HTTP client's attempt path ({@link InactivePointBenchmark}). {@code inactive_point_ns} is the
 * time the point adds (ns with the point − ns without, the same path), {@code inactive_point_bytes}
 * the bytes allocated per call with the point, {@code ratio} ns with / ns without.
 */
public final class ChaosSuite implements BenchSuite {
  @Override
  public String name() {
    return "chaos";
  }

  @Override
  public String description() {
    return "inactive fault injection point on the HTTP client attempt path: with vs without";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    JmhTable table = JmhTable.run(InactivePointBenchmark.class, quick, 5);
    double ratio = table.print(out, "without");
    Map<String, JmhTable.Cell> row = table.rows().values().iterator().next();
    JmhTable.Cell with = row.get("bulwark");
    JmhTable.Cell without = row.get("without");
    double added =
        with == null || without == null ? Double.NaN : with.nsPerOp() - without.nsPerOp();
    out.printf(
        Locale.ROOT,
        "point adds %.3f ns/op (with %.3f, without %.3f); %.1f B/op with the point%n",
        added,
        with == null ? Double.NaN : with.nsPerOp(),
        without == null ? Double.NaN : without.nsPerOp(),
        with == null ? Double.NaN : with.bytesPerOp());
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("inactive_point_ns", Math.max(0, added));
    metrics.put("inactive_point_bytes", with == null ? Double.NaN : with.bytesPerOp());
    return new BenchResult(name(), metrics, ratio);
  }
}
