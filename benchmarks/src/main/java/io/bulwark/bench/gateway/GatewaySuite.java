package io.bulwark.bench.gateway;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.bench.JmhTable;
import io.bulwark.bench.http.Wrk;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code bulwark bench gateway}: the Bulwark gateway against NGINX as reverse proxies over
 * loopback, plus the route matcher's cost at 10,000 routes (compiled matcher vs linear scan, JMH).
 *
 * <p>Both proxies stand in front of the same upstream, a static NGINX (2 workers, {@code return
 * 200}: C, no JIT, no GC, a few µs of CPU per request, so it is not the bottleneck; the direct row
 * shows its ceiling). Each proxy runs in its own process (the gateway in a child JVM) with 1 event
 * loop / worker and then 2, a keep-alive upstream pool of the same size, access log off. For each
 * width, {@code wrk} drives direct, NGINX and Bulwark in alternating rounds (median kept); CPU per
 * request comes from {@code /proc/<pid>/stat} of each process. Then, at 1 loop/worker, an open-loop
 * run at a fixed rate below both saturation points ({@link OpenLoop}) gives the latency each proxy
 * adds over the direct call at p50/p99/p99.9. The added-p99 ratio compares medians over the slices
 * (each slice's p99 minus the same slice's direct p99), so a stall of the machine that lands in one
 * slice does not decide it; the whole run's merged figure is printed beside it ({@code
 * added_p99_ratio_merged}).
 *
 * <p>Args: {@code --quick} (2 rounds of 5 s, short open loop, short JMH), {@code --duration S} per
 * wrk round (10), {@code --rounds N} (3), {@code --connections N} (64), {@code --pool N} upstream
 * connections (64), {@code --rate R} open-loop requests/s (default: a quarter of the lower 1-worker
 * throughput, at most 10,000), {@code --open-seconds S} (24, in alternating 2 s slices), {@code
 * --warmup S} load on the gateway's fresh JVM before measuring (30), {@code --open-warmup S}
 * open-loop load at the measured rate on each target before its slices (10: the gateway's JIT
 * adapts to the open loop's pattern for several seconds after the closed-loop warm-up), {@code
 * --no-matcher}, {@code --open-only} (with {@code --rate}: only the width-1 open loop, after the
 * warm-up, for quick comparisons; no throughput rows, no {@code ratio}), {@code --gateway-jvm-opt
 * OPTION} (repeatable: an extra JVM option for the gateway child after the gateway role's own, as
 * are the words of the {@code BULWARK_GATEWAY_JAVA_OPTS} environment variable). During the open
 * loop the child's collector pauses are counted per Bulwark slice ({@link GcWindow}) and printed
 * beside each slice's p99. With {@code --gateway-jvm-opt -Dbulwark.gateway.stage-times=true} the
 * child also prints, per slice and for all slices, where its exchanges' time went ({@link
 * StageReport}); with {@code --gateway-jvm-opt -Dbulwark.bench.gateway.transport=nio} it runs on
 * NIO instead of Netty's native epoll transport.
 */
public final class GatewaySuite implements BenchSuite {
  @Override
  public String name() {
    return "gateway";
  }

  @Override
  public String description() {
    return "gateway vs NGINX reverse proxy (wrk + open-loop added latency, 1 and 2 workers),"
        + " and route matching at 10,000 routes";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    Settings s =
        new Settings(
            intArg(args, "--duration", quick ? 5 : 10),
            intArg(args, "--rounds", quick ? 2 : 3),
            intArg(args, "--connections", 64),
            intArg(args, "--pool", 64),
            intArg(args, "--rate", 0),
            intArg(args, "--open-seconds", quick ? 6 : 24),
            intArg(args, "--warmup", quick ? 10 : 30),
            intArg(args, "--open-warmup", quick ? 3 : 10),
            args.contains("--open-only"),
            gatewayJvmOptions(args, System.getenv("BULWARK_GATEWAY_JAVA_OPTS")));
    if (s.openOnly() && s.rate() == 0) {
      throw new IllegalArgumentException(
          "--open-only needs --rate R (requests/s): without the wrk rounds there is no throughput"
              + " to take a quarter of");
    }
    quietLogging();
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (!args.contains("--no-matcher")) {
      matcherRows(quick, out, metrics);
    }
    DebianPackages.ensure("wrk", "wrk", out);
    Path nginx = DebianPackages.ensure("nginx", "nginx", out);
    if (!Wrk.available()) {
      throw new IllegalStateException("wrk is installed but does not run");
    }
    out.printf(
        Locale.ROOT,
        "%nproxies: wrk -t2 -c%d, %d rounds x %d s alternating (median), upstream pool %d,"
            + " upstream: static NGINX, 2 workers; %d cores%n",
        s.connections,
        s.rounds,
        s.seconds,
        s.pool,
        Runtime.getRuntime().availableProcessors());
    double[] ratios = new double[3];
    try (Nginx upstream = Nginx.upstream(nginx, 2)) {
      ProxyRows rows = new ProxyRows(s, upstream, out);
      ratios[1] = rows.measure(nginx, 1, metrics);
      ratios[2] = s.openOnly() ? Double.NaN : rows.measure(nginx, 2, metrics);
      ratios[0] = rows.addedP99Ratio;
    }
    double lower = Math.min(ratios[1], ratios[2]);
    out.printf(
        Locale.ROOT,
        "%nrequests/s bulwark/nginx: 1 worker %.3f, 2 workers %.3f (target >= 0.8);"
            + " added p99 bulwark/nginx %.3f (target <= 1.5)%n",
        ratios[1],
        ratios[2],
        ratios[0]);
    metrics.put("rps_ratio_1", ratios[1]);
    metrics.put("rps_ratio_2", ratios[2]);
    metrics.put("added_p99_ratio", ratios[0]);
    return new BenchResult(name(), metrics, lower);
  }

  private static void matcherRows(boolean quick, PrintStream out, Map<String, Double> metrics)
      throws Exception {
    JmhTable table = JmhTable.run(GatewayMatcherBenchmark.class, quick, 5);
    double ratio = table.print(out, "linear");
    JmhTable.Cell template = null;
    for (Map.Entry<String, Map<String, JmhTable.Cell>> row : table.rows().entrySet()) {
      if (row.getKey().startsWith("templateAt10k")) { // the key carries the thread count
        template = row.getValue().get("bulwark");
      }
    }
    metrics.put("template_bulwark_ns", template == null ? Double.NaN : template.nsPerOp());
    metrics.put("matcher_ratio", ratio);
  }

  /** The run's settings (see the class comment for the flags). */
  record Settings(
      int seconds,
      int rounds,
      int connections,
      int pool,
      int rate,
      int openSeconds,
      int warmupSeconds,
      int openWarmupSeconds,
      boolean openOnly,
      List<String> gatewayJvmOptions) {}

  /**
   * Extra JVM options for the gateway child, after the gateway role's own: the words of {@code
   * BULWARK_GATEWAY_JAVA_OPTS}, then each {@code --gateway-jvm-opt OPTION} (repeatable; e.g. {@code
   * --gateway-jvm-opt -Xlog:gc*,safepoint:file=/tmp/gw-gc.log}).
   */
  static List<String> gatewayJvmOptions(List<String> args, @Nullable String env) {
    List<String> options = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      options.addAll(List.of(env.trim().split("\\s+")));
    }
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--gateway-jvm-opt")) {
        if (i + 1 >= args.size() || args.get(i + 1).isBlank()) {
          throw new IllegalArgumentException(
              "--gateway-jvm-opt needs a JVM option after it, e.g. --gateway-jvm-opt -Xmn64m");
        }
        options.add(args.get(++i));
      }
    }
    return List.copyOf(options);
  }

  /** Logback without a config file logs DEBUG to the console; benchmarks log at WARN. */
  static void quietLogging() {
    if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  static int intArg(List<String> args, String name, int fallback) {
    int i = args.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a number after it");
    }
    String v = args.get(i + 1);
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, was " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " takes a whole number, was \"" + v + "\"", e);
    }
  }
}
