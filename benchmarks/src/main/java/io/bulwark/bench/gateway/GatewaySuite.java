package io.bulwark.bench.gateway;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code bulwark bench gateway}: so far the route matcher's cost at 10,000 routes, compiled against
 * a linear scan. The throughput rows (direct vs through the gateway, and NGINX) come next.
 */
public final class GatewaySuite implements BenchSuite {
  @Override
  public String name() {
    return "gateway";
  }

  @Override
  public String description() {
    return "gateway route matching at 10,000 routes: compiled matcher vs linear scan";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    JmhTable table = JmhTable.run(GatewayMatcherBenchmark.class, quick, 5);
    double ratio = table.print(out, "linear");
    JmhTable.Cell template = null;
    for (Map.Entry<String, Map<String, JmhTable.Cell>> row : table.rows().entrySet()) {
      if (row.getKey().startsWith("templateAt10k")) { // the key carries the thread count
        template = row.getValue().get("bulwark");
      }
    }
    return new BenchResult(
        name(),
        Map.of("template_bulwark_ns", template == null ? Double.NaN : template.nsPerOp()),
        ratio);
  }
}
