package io.bulwark.bench.telemetry;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bulwark bench telemetry}: one request's RED metrics and a sampled-out span, Bulwark vs the
 * raw OpenTelemetry SDK vs Micrometer, then a recorded span ({@link RecordedSpanBenchmark}) vs the
 * raw SDK. The headline ratio is the worse of the first two operations against raw OTel; the
 * recorded span has its own keys ({@code recorded_span_ratio}, {@code recorded_span_bytes}, ...).
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
    out.println("== recorded span (start, 2 attributes, 1 event, end, batch export) vs raw OTel");
    JmhTable recorded = JmhTable.run(RecordedSpanBenchmark.class, quick, 10);
    recorded.print(out, "otel");
    Map<String, JmhTable.Cell> cells = recorded.rows().get("recordedSpan t=1");
    JmhTable.Cell b = cells.get("bulwark");
    JmhTable.Cell o = cells.get("otel");
    out.printf(
        Locale.ROOT,
        "recorded span: time ratio %.3f, bytes %.0f vs %.0f B/op (ratio %.3f)%n",
        b.nsPerOp() / o.nsPerOp(),
        b.bytesPerOp(),
        o.bytesPerOp(),
        b.bytesPerOp() / o.bytesPerOp());
    metrics.put("recordedSpan_bulwark_ns", b.nsPerOp());
    metrics.put("recordedSpan_otel_ns", o.nsPerOp());
    metrics.put("recorded_span_otel_bytes", o.bytesPerOp());
    metrics.put("recorded_span_bytes_ratio", b.bytesPerOp() / o.bytesPerOp());
    metrics.put("recorded_span_bytes", b.bytesPerOp());
    metrics.put("recorded_span_ratio", b.nsPerOp() / o.nsPerOp());
    return new BenchResult(name(), metrics, ratio);
  }
}
