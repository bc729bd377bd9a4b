package io.bulwark.bench.telemetry;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bulwark bench telemetry}: one request's RED metrics and a sampled-out span, Bulwark vs the
 * raw OpenTelemetry SDK vs Micrometer. The headline ratio is the worse of the two operations
 * against raw OTel.
 */
public final class TelemetrySuite implements BenchSuite {
  @Override
  public String name() {
    return "telemetry";
  }

  @Override
  public String description() {
    return "RED metrics + sampled-out span per request: Bulwark vs raw OTel SDK vs Micrometer";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    JmhTable table = JmhTable.run(TelemetryRecordingBenchmark.class, quick, 10);
    out.println("== vs raw OpenTelemetry SDK");
    double ratio = table.print(out, "otel");
    out.println("== vs Micrometer");
    double micrometerRatio = table.print(out, "micrometer");
    Map<String, Double> metrics = new LinkedHashMap<>();
    table
        .rows()
        .forEach(
            (op, cells) -> {
              String key = op.substring(0, op.indexOf(' '));
              cells.forEach((side, cell) -> metrics.put(key + "_" + side + "_ns", cell.nsPerOp()));
            });
    metrics.put("ratio_vs_micrometer", micrometerRatio);
    return new BenchResult(name(), metrics, ratio);
  }
}
