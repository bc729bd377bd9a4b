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
 * the bytes allocated per call with the point, {@code ratio} ns with / ns without. Then the cost of
 * the chaos cohort label on HTTP RED recording ({@link LabelledRedBenchmark}), with no fault active
 * and with a fault of another experiment active, printed in the suite's table ({@code
 * red_label_off_ns}, {@code red_label_off_bytes}, {@code red_label_active_ns}, {@code
 * red_label_active_bytes}, {@code red_label_active_ratio}). The {@code RESULT} line carries exactly
 * the keys the chaos issue asks for: {@code inactive_point_ns}, {@code inactive_point_bytes} and
 * the {@code ratio}.
 */
public final class ChaosSuite implements BenchSuite {
  @Override
  public String name() {
    return "chaos";
  }

  @Override
  public String description() {
    return "inactive fault injection point on the HTTP client attempt path: with vs without;"
        + " HTTP RED recording with the chaos cohort label, no fault vs a fault of another cohort";
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
    labelledRed(quick, out);
    return new BenchResult(name(), metrics, ratio);
  }

  /**
   * The cohort label on HTTP RED recording ({@link LabelledRedBenchmark}): {@code red_label_off_ns}
   * what the label path adds with no fault active (ns, label path − plain record), {@code
   * red_label_off_bytes} its B/op; {@code red_label_active_ns} what it adds while a fault of
   * another experiment is active (the request labelled {@code control}, recorded twice), {@code
   * red_label_active_bytes} its B/op, {@code red_label_active_ratio} label path / plain. Printed
   * after its table, not on the {@code RESULT} line.
   */
  private static void labelledRed(boolean quick, PrintStream out) throws Exception {
    JmhTable table = JmhTable.run(LabelledRedBenchmark.class, quick, 5);
    out.println();
    out.println("HTTP RED recording with the chaos cohort label path vs the plain record:");
    table.print(out, "without");
    Map<String, JmhTable.Cell> off = table.rows().get("redRecord t=1");
    Map<String, JmhTable.Cell> on = table.rows().get("redRecordOtherCohortActive t=1");
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("red_label_off_ns", added(off));
    metrics.put("red_label_off_bytes", bytes(off));
    metrics.put("red_label_active_ns", added(on));
    metrics.put("red_label_active_bytes", bytes(on));
    JmhTable.Cell onWith = on == null ? null : on.get("bulwark");
    JmhTable.Cell onWithout = on == null ? null : on.get("without");
    metrics.put(
        "red_label_active_ratio",
        onWith == null || onWithout == null ? Double.NaN : onWith.nsPerOp() / onWithout.nsPerOp());
    StringBuilder line = new StringBuilder("cohort label on RED:");
    metrics.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s=%.3f", k, v)));
    out.println(line);
  }

  private static double added(Map<String, JmhTable.Cell> row) {
    JmhTable.Cell with = row == null ? null : row.get("bulwark");
    JmhTable.Cell without = row == null ? null : row.get("without");
    return with == null || without == null
        ? Double.NaN
        : Math.max(0, with.nsPerOp() - without.nsPerOp());
  }

  private static double bytes(Map<String, JmhTable.Cell> row) {
    JmhTable.Cell with = row == null ? null : row.get("bulwark");
    return with == null ? Double.NaN : with.bytesPerOp();
  }
}
