package io.bulwark.bench.gateway;

import io.bulwark.bench.Stats;
import io.bulwark.bench.http.Wrk;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The proxy rows of the gateway suite at one width (1 or 2 event loops / workers): throughput with
 * {@code wrk} for direct, NGINX and Bulwark, and at width 1 the open-loop latency each proxy adds.
 */
final class ProxyRows {
  private static final int SLICE_SECONDS = 2;

  private final GatewaySuite.Settings s;
  private final Nginx upstream;
  private final PrintStream out;
  double addedP99Ratio = Double.NaN;

  ProxyRows(GatewaySuite.Settings s, Nginx upstream, PrintStream out) {
    this.s = s;
    this.upstream = upstream;
    this.out = out;
  }

  /** One closed-loop round: wrk's figures and CPU µs per request of the proxy and the upstream. */
  record Round(double rps, double p50Millis, double p99Millis, double proxyCpuUs, double upCpuUs) {}

  /** Measures one width; returns requests/s bulwark / nginx. */
  double measure(Path nginxBinary, int width, Map<String, Double> metrics) throws Exception {
    try (Nginx nginx = Nginx.proxy(nginxBinary, width, upstream.port, s.pool());
        BulwarkGatewayProcess bulwark =
            BulwarkGatewayProcess.start(width, upstream.port, s.pool(), s.gatewayJvmOptions())) {
      out.printf(
          Locale.ROOT,
          "%nwidth %d: gateway child %s, transport %s; JVM options %s%n",
          width,
          bulwark.jvm,
          bulwark.transport,
          jvmOptions(bulwark.command));
      String direct = url(upstream.port);
      String viaNginx = url(nginx.port);
      String viaBulwark = url(bulwark.port);
      int warm = Math.max(3, s.seconds() / 2);
      Wrk.run(direct, s.connections(), warm); // warm-up (the gateway's JIT), discarded
      Wrk.run(viaNginx, s.connections(), warm);
      // a fresh JVM: C2 keeps compiling for tens of seconds on a loaded 2-core machine
      for (int left = s.warmupSeconds(); left > 0; left -= 5) {
        Wrk.run(viaBulwark, s.connections(), Math.min(5, left));
      }
      if (s.openOnly()) { // a quick look at the added latency: no wrk rounds, width 1 only
        openLoop(null, null, nginx, bulwark, metrics);
        return Double.NaN;
      }
      List<Round> d = new ArrayList<>();
      List<Round> n = new ArrayList<>();
      List<Round> b = new ArrayList<>();
      for (int i = 0; i < s.rounds(); i++) {
        d.add(round(direct, -1, upstream.pid()));
        n.add(round(viaNginx, nginx.pid(), upstream.pid()));
        b.add(round(viaBulwark, bulwark.pid(), upstream.pid()));
      }
      Round rd = median(d);
      Round rn = median(n);
      Round rb = median(b);
      out.printf(Locale.ROOT, "%nwidth %d (event loops / workers per proxy)%n", width);
      out.printf(
          Locale.ROOT,
          "%-22s %12s %9s %9s %14s %14s %8s%n",
          "target",
          "requests/s",
          "p50 ms",
          "p99 ms",
          "proxy CPU us",
          "upstream CPU",
          "vs nginx");
      print("direct (no proxy)", rd, rn);
      print("nginx", rn, rn);
      print("bulwark gateway", rb, rn);
      String w = Integer.toString(width);
      metrics.put("direct_rps_" + w, rd.rps());
      metrics.put("nginx_rps_" + w, rn.rps());
      metrics.put("bulwark_rps_" + w, rb.rps());
      metrics.put("nginx_cpu_us_" + w, rn.proxyCpuUs());
      metrics.put("bulwark_cpu_us_" + w, rb.proxyCpuUs());
      if (width == 1) {
        openLoop(rn, rb, nginx, bulwark, metrics);
      }
      return rb.rps() / rn.rps();
    }
  }

  /** The child option that turns the stage breakdown on (printed per slice and for all). */
  static final String STAGES_ON = "-D" + io.bulwark.gateway.internal.StageTimes.PROPERTY + "=true";

  private void openLoop(
      @Nullable Round rn,
      @Nullable Round rb,
      Nginx nginx,
      BulwarkGatewayProcess bulwark,
      Map<String, Double> metrics)
      throws Exception {
    int rate =
        s.rate() > 0 || rn == null || rb == null
            ? s.rate()
            : autoRate(Math.min(rn.rps(), rb.rps()));
    int warm = s.openWarmupSeconds();
    out.printf(
        Locale.ROOT,
        "%nthe generator's %s (a young generation that the open loop does not fill within a slice,"
            + " e.g. java -Xmn1g, keeps its own collections out of the slices)%n",
        GcWindow.describeJvm());
    out.printf(
        Locale.ROOT,
        "%nopen loop at %d requests/s (intended start times, latency from the intended start,"
            + " HdrHistogram), %d connections, %d s warm-up + %d s per target in alternating"
            + " 2 s slices, width 1%n",
        rate,
        s.connections(),
        warm,
        s.openSeconds());
    OpenLoop.Result d;
    OpenLoop.Result n;
    OpenLoop.Result b;
    long nCpu;
    long bCpu;
    GcWindow gc = GcWindow.none();
    // the generator is a JVM too: its own pauses land in whichever target's slice is running
    GcWindow.Recorder generator = GcWindow.Recorder.start();
    GcWindow[] generatorGc = {GcWindow.none(), GcWindow.none(), GcWindow.none()};
    List<String> sliceLines = new ArrayList<>();
    long[] genCpu = new long[3];
    long[] steal = new long[3];
    long[] sliceSteal = new long[3];
    double[] nSliceAdded;
    double[] bSliceAdded;
    try (OpenLoop load = new OpenLoop(s.connections())) {
      for (int port : new int[] {upstream.port, nginx.port, bulwark.port}) {
        load.run(port, rate, warm, 1); // warm-up of each path and of the generator, discarded
      }
      boolean stages = s.gatewayJvmOptions().contains(STAGES_ON);
      if (stages) {
        bulwark.stages(StageReport.RESET); // the warm-up's exchanges are not counted
      }
      // slices of 2 s, alternating, merged: a noisy spell on the machine hits all three alike
      int slices = Math.max(1, s.openSeconds() / SLICE_SECONDS);
      List<OpenLoop.Result> ds = new ArrayList<>();
      List<OpenLoop.Result> ns = new ArrayList<>();
      List<OpenLoop.Result> bs = new ArrayList<>();
      nCpu = 0;
      bCpu = 0;
      long self = ProcessHandle.current().pid();
      for (int i = 0; i < slices; i++) {
        // the order turns each slice (direct, nginx, bulwark; nginx, bulwark, direct; ...) so no
        // target always follows the same one
        OpenLoop.Result slice = null;
        GcWindow sliceGc = GcWindow.none();
        for (int j = 0; j < 3; j++) {
          int target = (i + j) % 3;
          emptyGeneratorHeap();
          generator.takeWindow();
          long steal0 = ProcCpu.stealNanos();
          long gen0 = ProcCpu.processNanos(self);
          if (target == 0) {
            ds.add(load.run(upstream.port, rate, 0, SLICE_SECONDS));
          } else if (target == 1) {
            long before = ProcCpu.nanos(nginx.pid());
            ns.add(load.run(nginx.port, rate, 0, SLICE_SECONDS));
            nCpu += ProcCpu.nanos(nginx.pid()) - before;
          } else {
            bulwark.gcSinceLast(); // opens the slice's window
            long before = ProcCpu.nanos(bulwark.pid());
            slice = load.run(bulwark.port, rate, 0, SLICE_SECONDS);
            bCpu += ProcCpu.nanos(bulwark.pid()) - before;
            sliceGc = bulwark.gcSinceLast();
            bs.add(slice);
            gc = gc.plus(sliceGc);
          }
          generatorGc[target] = generatorGc[target].plus(generator.takeWindow());
          genCpu[target] += ProcCpu.processNanos(self) - gen0;
          sliceSteal[target] = ProcCpu.stealNanos() - steal0;
          steal[target] += sliceSteal[target];
        }
        sliceLines.add(
            String.format(
                Locale.ROOT,
                "  slice %2d: bulwark p99 %6.0f us, p99.9 %6.0f us, max %6.0f us | nginx p99 %6.0f"
                    + " us | direct p99 %6.0f us | gateway GC pauses %d (total %d ms, max %d ms),"
                    + " JIT %d ms | steal ms direct/nginx/bulwark %d/%d/%d",
                i + 1,
                java.util.Objects.requireNonNull(slice).micros(99),
                slice.micros(99.9),
                slice.micros(100),
                ns.getLast().micros(99),
                ds.getLast().micros(99),
                sliceGc.pauses(),
                sliceGc.totalMillis(),
                sliceGc.maxMillis(),
                sliceGc.jitMillis(),
                sliceSteal[0] / 1_000_000,
                sliceSteal[1] / 1_000_000,
                sliceSteal[2] / 1_000_000));
        if (stages) {
          sliceLines.add("    stages: " + bulwark.stages(StageReport.WINDOW));
        }
      }
      if (stages) {
        sliceLines.add("  all bulwark slices, stages: " + bulwark.stages(StageReport.TOTAL));
      }
      nSliceAdded = sliceAdded(ns, ds);
      bSliceAdded = sliceAdded(bs, ds);
      d = OpenLoop.Result.merge(ds);
      n = OpenLoop.Result.merge(ns);
      b = OpenLoop.Result.merge(bs);
    }
    out.printf(
        Locale.ROOT,
        "%-18s %10s %9s %9s %9s %9s %12s %12s %12s %12s%n",
        "target",
        "achieved/s",
        "errors",
        "p50 us",
        "p99 us",
        "p99.9 us",
        "added p50",
        "added p99",
        "added p99.9",
        "CPU us/req");
    openRow("direct (no proxy)", d, d, Double.NaN, rate);
    openRow("nginx", n, d, nCpu, rate);
    openRow("bulwark gateway", b, d, bCpu, rate);
    out.printf(
        Locale.ROOT,
        "gateway child during its open-loop slices: %d collector pauses, %d ms in all, longest %d"
            + " ms; JIT compile time %d ms%n",
        gc.pauses(),
        gc.totalMillis(),
        gc.maxMillis(),
        gc.jitMillis());
    sliceLines.forEach(out::println);
    out.printf(
        Locale.ROOT,
        "the generator's own collector pauses during the direct / nginx / bulwark slices: %d / %d"
            + " / %d (longest %d / %d / %d ms)%n",
        generatorGc[0].pauses(),
        generatorGc[1].pauses(),
        generatorGc[2].pauses(),
        generatorGc[0].maxMillis(),
        generatorGc[1].maxMillis(),
        generatorGc[2].maxMillis());
    metrics.put(
        "generator_gc_pauses",
        (double) (generatorGc[0].plus(generatorGc[1]).plus(generatorGc[2]).pauses()));
    metrics.put("gateway_gc_pauses", (double) gc.pauses());
    metrics.put("gateway_gc_ms_total", (double) gc.totalMillis());
    metrics.put("gateway_gc_pause_ms_max", (double) gc.maxMillis());
    metrics.put("gateway_jit_ms", (double) gc.jitMillis());
    double[] pct = {50, 99, 99.9};
    String[] key = {"p50", "p99", "p999"};
    for (int i = 0; i < pct.length; i++) {
      metrics.put("nginx_added_" + key[i] + "_us", n.micros(pct[i]) - d.micros(pct[i]));
      metrics.put("bulwark_added_" + key[i] + "_us", b.micros(pct[i]) - d.micros(pct[i]));
    }
    String[] names = {"direct", "nginx", "bulwark"};
    out.printf(
        Locale.ROOT,
        "the generator's CPU per request during the direct / nginx / bulwark slices: %.1f / %.1f /"
            + " %.1f us; the machine's steal time (host ran something else): %d / %d / %d ms%n",
        genCpu[0] / 1000.0 / Math.max(1, d.requests()),
        genCpu[1] / 1000.0 / Math.max(1, n.requests()),
        genCpu[2] / 1000.0 / Math.max(1, b.requests()),
        steal[0] / 1_000_000,
        steal[1] / 1_000_000,
        steal[2] / 1_000_000);
    for (int i = 0; i < 3; i++) {
      metrics.put("steal_ms_" + names[i], steal[i] / 1e6);
    }
    metrics.put(
        "generator_cpu_us_per_req",
        (genCpu[0] + genCpu[1] + genCpu[2])
            / 1000.0
            / Math.max(1, d.requests() + n.requests() + b.requests()));
    metrics.put("open_rate", (double) rate);
    metrics.put("open_errors", (double) (d.errors() + n.errors() + b.errors()));
    // the whole run's p99 (all slices merged), as before; a stall of the machine that lands in one
    // slice of one target moves it by milliseconds (see docs/benchmarks.md, gateway, session 11)
    double nAdded = n.micros(99) - d.micros(99);
    double bAdded = b.micros(99) - d.micros(99);
    double merged = nAdded <= 0 ? Double.NaN : Math.max(0, bAdded) / nAdded;
    metrics.put("added_p99_ratio_merged", merged);
    // the ratio: per slice, each proxy's p99 minus the direct call's p99 in the same slice; the
    // median over the slices of each, then bulwark's / nginx's
    double nMedian = Stats.median(nSliceAdded);
    double bMedian = Stats.median(bSliceAdded);
    addedP99Ratio = nMedian <= 0 ? Double.NaN : Math.max(0, bMedian) / nMedian;
    out.printf(
        Locale.ROOT,
        "added p99, median over %d slices of (the slice's p99 - the same slice's direct p99): nginx"
            + " %.0f us, bulwark %.0f us, ratio %.3f; over all slices merged: nginx %.0f us, bulwark"
            + " %.0f us, ratio %.3f%n",
        nSliceAdded.length,
        nMedian,
        bMedian,
        addedP99Ratio,
        nAdded,
        bAdded,
        merged);
    metrics.put("nginx_added_p99_slice_median_us", nMedian);
    metrics.put("bulwark_added_p99_slice_median_us", bMedian);
    if (nMedian <= 0) {
      out.println(
          "NGINX added no p99 latency measurable over the direct call in this run: the ratio is"
              + " not defined (NaN); rerun on a quieter machine or with --open-seconds 60");
    }
  }

  /**
   * Collects the generator's own heap between slices, outside any measured time: a young collection
   * of this JVM inside a slice would delay that slice's requests (their latency runs from the
   * intended start) and charge the pause to whichever target the slice measures, so one such pause
   * in a direct or NGINX slice moved the added-p99 ratio from run to run. The proxies' own
   * collections are not touched: they are part of what is measured.
   */
  private static void emptyGeneratorHeap() {
    System.gc();
  }

  /** Per slice, the target's p99 minus the direct call's p99 in the same slice, in µs. */
  private static double[] sliceAdded(List<OpenLoop.Result> target, List<OpenLoop.Result> direct) {
    double[] added = new double[target.size()];
    for (int i = 0; i < added.length; i++) {
      added[i] = target.get(i).micros(99) - direct.get(i).micros(99);
    }
    return added;
  }

  /** A quarter of the lower saturation throughput, in steps of 100, at most 10,000/s. */
  static int autoRate(double lowerRps) {
    return (int) Math.max(100, Math.min(10_000, Math.floor(lowerRps / 4 / 100) * 100));
  }

  private void openRow(String name, OpenLoop.Result r, OpenLoop.Result d, double cpu, int rate) {
    out.printf(
        Locale.ROOT,
        "%-18s %10.0f %9d %9.0f %9.0f %9.0f %12s %12s %12s %12s%n",
        name,
        r.achievedRate(),
        r.errors(),
        r.micros(50),
        r.micros(99),
        r.micros(99.9),
        r == d ? "-" : String.format(Locale.ROOT, "%.0f", r.micros(50) - d.micros(50)),
        r == d ? "-" : String.format(Locale.ROOT, "%.0f", r.micros(99) - d.micros(99)),
        r == d ? "-" : String.format(Locale.ROOT, "%.0f", r.micros(99.9) - d.micros(99.9)),
        Double.isNaN(cpu)
            ? "-"
            : String.format(Locale.ROOT, "%.1f", cpu / 1000.0 / Math.max(1, r.requests())));
    if (r.errors() > 0 || r.achievedRate() < rate * 0.95) {
      out.printf(
          Locale.ROOT,
          "  warning: %s answered %d of the intended %d/s with %d errors: the rate is above what"
              + " it sustains here; lower --rate%n",
          name,
          (long) r.achievedRate(),
          rate,
          r.errors());
    }
  }

  private Round round(String url, long proxyPid, long upstreamPid) throws Exception {
    long p0 = proxyPid < 0 ? 0 : ProcCpu.nanos(proxyPid);
    long u0 = ProcCpu.nanos(upstreamPid);
    Wrk.Result w = Wrk.run(url, s.connections(), s.seconds());
    long p = proxyPid < 0 ? 0 : ProcCpu.nanos(proxyPid) - p0;
    long u = ProcCpu.nanos(upstreamPid) - u0;
    double requests = Math.max(1, w.rps() * s.seconds());
    return new Round(
        w.rps(),
        w.p50Millis(),
        w.p99Millis(),
        proxyPid < 0 ? Double.NaN : p / 1000.0 / requests,
        u / 1000.0 / requests);
  }

  private void print(String name, Round r, Round anchor) {
    out.printf(
        Locale.ROOT,
        "%-22s %12.0f %9.2f %9.2f %14s %14.1f %8.3f%n",
        name,
        r.rps(),
        r.p50Millis(),
        r.p99Millis(),
        Double.isNaN(r.proxyCpuUs()) ? "-" : String.format(Locale.ROOT, "%.1f", r.proxyCpuUs()),
        r.upCpuUs(),
        r.rps() / anchor.rps());
  }

  /** The JVM options of a child's command line: the words before {@code -cp}. */
  private static String jvmOptions(List<String> command) {
    int cp = command.indexOf("-cp");
    return String.join(" ", command.subList(1, cp < 0 ? command.size() : cp));
  }

  private static String url(int port) {
    return "http://127.0.0.1:" + port + "/";
  }

  private static Round median(List<Round> rounds) {
    List<Round> sorted = new ArrayList<>(rounds);
    sorted.sort(Comparator.comparingDouble(Round::rps));
    return sorted.get(sorted.size() / 2);
  }
}
