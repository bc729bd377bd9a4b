package io.bulwark.bench.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.Response;
import io.bulwark.http.ServerListener;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bulwark bench http}: a Bulwark server's plain JSON endpoint against the same endpoint
 * written directly on Vert.x (handler on the event loop), both on 127.0.0.1 in this JVM with the
 * same number of event loops, driven by {@code wrk} with the same threads and connections,
 * alternating rounds. Bulwark runs its full inbound filter chain (route match, context restore,
 * generated + echoed correlation id, deadline check, admission, listener call) with the access log
 * listener off, since the anchor logs nothing. Two Bulwark variants are measured: the endpoint as a
 * non-blocking route (handler inline on the event loop, the headline ratio) and as an ordinary
 * route (handler on a virtual thread, reported as {@code vt_ratio}). Tracing is on: the Bulwark
 * server runs with a real BulwarkTelemetry sampling 10 % of root spans ({@link TracedTelemetry}),
 * so every request opens its server span and one in ten is recorded and exported (RED metrics per
 * route are recorded too, as the telemetry does for any user); the exported span count is printed.
 *
 * <p>Args: {@code --quick} (2 rounds of 5 s), {@code --connections N} (default 64), {@code
 * --duration S} per round (default 10), {@code --rounds N} (default 3).
 */
public final class HttpSuite implements BenchSuite {
  /** The payload of both endpoints. */
  public record Message(String message) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Answers of the Bulwark server's two routes and of the anchor: the work was done. */
  private static final LongAdder BULWARK_ANSWERS = new LongAdder();

  private static final LongAdder RAW_ANSWERS = new LongAdder();

  private static Response answer() {
    BULWARK_ANSWERS.increment();
    return Response.json(new Message("Hello, World!"));
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public String description() {
    return "plain JSON endpoint: Bulwark server (tracing on, sampled at 10 %) vs raw Vert.x,"
        + " loopback, wrk, same connections";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) throws Exception {
    boolean quick = args.contains("--quick");
    int connections = intArg(args, "--connections", 64);
    int seconds = intArg(args, "--duration", quick ? 5 : 10);
    int rounds = intArg(args, "--rounds", quick ? 2 : 3);
    int loops = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    quietLogging();
    if (!Wrk.available()) {
      out.println("wrk is NOT installed: this benchmark needs it (apt-get install -y wrk).");
      return new BenchResult(name(), Map.of("wrk_missing", 1.0), Double.NaN);
    }
    Vertx rawVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    int rawPort = startRaw(rawVertx, loops);
    TracedTelemetry traced = new TracedTelemetry();
    BulwarkServer bulwark =
        BulwarkServer.builder()
            .eventLoops(loops)
            // access log off on both sides: raw Vert.x logs nothing either
            .listener(ServerListener.none())
            .telemetry(traced.telemetry())
            .get("/json", r -> answer())
            .routeNonBlocking("GET", "/json-inline", r -> answer())
            .build()
            .start();
    try {
      String rawUrl = "http://127.0.0.1:" + rawPort + "/json";
      String bulwarkUrl = "http://127.0.0.1:" + bulwark.port() + "/json";
      String inlineUrl = "http://127.0.0.1:" + bulwark.port() + "/json-inline";
      out.printf(
          Locale.ROOT,
          "event loops %d, wrk -t2 -c%d, %d rounds x %d s, alternating%n",
          loops,
          connections,
          rounds,
          seconds);
      out.println(schedulerLine());
      Wrk.run(rawUrl, connections, Math.max(2, seconds / 2)); // warm-up, discarded
      Wrk.run(bulwarkUrl, connections, Math.max(2, seconds / 2));
      Wrk.run(inlineUrl, connections, Math.max(2, seconds / 2));
      List<Measured> raw = new ArrayList<>();
      List<Measured> vt = new ArrayList<>();
      List<Measured> inline = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        raw.add(measure(rawUrl, connections, seconds));
        vt.add(measure(bulwarkUrl, connections, seconds));
        inline.add(measure(inlineUrl, connections, seconds));
      }
      Measured r = Measured.median(raw);
      Measured v = Measured.median(vt);
      Measured b = Measured.median(inline);
      out.printf(
          Locale.ROOT,
          "%-24s %12s %10s %10s %12s %10s %8s%n",
          "server",
          "requests/s",
          "p50 ms",
          "p99 ms",
          "CPU us/req",
          "B/req",
          "ratio");
      print(out, "vertx (anchor)", r, r);
      print(out, "bulwark non-blocking", b, r);
      print(out, "bulwark virtual thread", v, r);
      double ratio = b.rps / r.rps;
      double vtRatio = v.rps / r.rps;
      out.printf(
          Locale.ROOT,
          "ratio bulwark/vertx requests/s: non-blocking route %.3f, virtual-thread route %.3f"
              + " (target >= 0.9)%n",
          ratio,
          vtRatio);
      out.printf(
          Locale.ROOT,
          "virtual-thread route: carrier threads parked %.3f times per request (voluntary context"
              + " switches of the JDK scheduler's carriers)%n",
          v.switches.carrierParks());
      out.printf(
          Locale.ROOT,
          "context switches per request (all threads) / event-loop sleeps per request: vertx"
              + " %.3f / %.3f, non-blocking %.3f / %.3f, virtual thread %.3f / %.3f%n",
          r.switches.all(),
          r.switches.loopSleeps(),
          b.switches.all(),
          b.switches.loopSleeps(),
          v.switches.all(),
          v.switches.loopSleeps());
      out.printf(
          Locale.ROOT,
          "answers counted: bulwark %d, vertx %d%n",
          BULWARK_ANSWERS.sum(),
          RAW_ANSWERS.sum());
      out.println(traced.describe(BULWARK_ANSWERS.sum()));
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("bulwark_rps", b.rps);
      metrics.put("bulwark_vt_rps", v.rps);
      metrics.put("vertx_rps", r.rps);
      metrics.put("bulwark_p99_ms", b.p99Millis);
      metrics.put("bulwark_vt_p99_ms", v.p99Millis);
      metrics.put("vertx_p99_ms", r.p99Millis);
      metrics.put("bulwark_bytes_per_req", b.bytesPerRequest);
      metrics.put("bulwark_vt_bytes_per_req", v.bytesPerRequest);
      metrics.put("vertx_bytes_per_req", r.bytesPerRequest);
      metrics.put("bulwark_cpu_us_per_req", b.cpuMicrosPerRequest);
      metrics.put("bulwark_vt_cpu_us_per_req", v.cpuMicrosPerRequest);
      metrics.put("vertx_cpu_us_per_req", r.cpuMicrosPerRequest);
      metrics.put("bulwark_vt_carrier_parks_per_req", v.switches.carrierParks());
      metrics.put("bulwark_switches_per_req", b.switches.all());
      metrics.put("bulwark_vt_switches_per_req", v.switches.all());
      metrics.put("vertx_switches_per_req", r.switches.all());
      metrics.put("bulwark_loop_sleeps_per_req", b.switches.loopSleeps());
      metrics.put("bulwark_vt_loop_sleeps_per_req", v.switches.loopSleeps());
      metrics.put("vertx_loop_sleeps_per_req", r.switches.loopSleeps());
      metrics.put("vt_ratio", vtRatio);
      metrics.putAll(ClientRows.run(args, out)); // the client rows (their own class)
      return new BenchResult(name(), metrics, ratio);
    } finally {
      bulwark.shutdown();
      traced.close();
      rawVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The JDK scheduler settings the handler threads run under: the JDK's defaults unless this JVM
   * was given {@code -Djdk.virtualThreadScheduler.*} (the {@code bulwark} launcher sets none).
   */
  static String schedulerLine() {
    String parallelism = System.getProperty("jdk.virtualThreadScheduler.parallelism");
    String maxPoolSize = System.getProperty("jdk.virtualThreadScheduler.maxPoolSize");
    return String.format(
        Locale.ROOT,
        "virtual-thread scheduler: parallelism %s, maxPoolSize %s",
        parallelism == null
            ? "default (" + Runtime.getRuntime().availableProcessors() + " cores)"
            : parallelism + " (set)",
        maxPoolSize == null ? "default" : maxPoolSize + " (set)");
  }

  /** Logback without a config file logs DEBUG to the console; keep Netty's chatter out. */
  private static void quietLogging() {
    if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  private static void print(PrintStream out, String name, Measured m, Measured anchor) {
    out.printf(
        Locale.ROOT,
        "%-24s %12.0f %10.2f %10.2f %12.1f %10.0f %8.3f%n",
        name,
        m.rps,
        m.p50Millis,
        m.p99Millis,
        m.cpuMicrosPerRequest,
        m.bytesPerRequest,
        m.rps / anchor.rps);
  }

  private static Measured measure(String url, int connections, int seconds) throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long cpuBefore = os.getProcessCpuTime();
    long bytesBefore = threads.getTotalThreadAllocatedBytes();
    ThreadSwitches.Snapshot switchesBefore = ThreadSwitches.now();
    Wrk.Result w = Wrk.run(url, connections, seconds);
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long bytes = threads.getTotalThreadAllocatedBytes() - bytesBefore;
    ThreadSwitches.Snapshot switchesAfter = ThreadSwitches.now();
    double requests = Math.max(1, w.rps() * seconds);
    return new Measured(
        w.rps(),
        w.p50Millis(),
        w.p99Millis(),
        cpu / 1000.0 / requests,
        bytes / requests,
        switchesBefore.perRequest(switchesAfter, requests));
  }

  /** The anchor: the same endpoint written directly on Vert.x, one server per event loop. */
  private static int startRaw(Vertx vertx, int loops) throws Exception {
    int port = -7919; // a shared random port for these instances
    int actual = -1;
    for (int i = 0; i < loops; i++) {
      HttpServer server =
          vertx
              .createHttpServer()
              .requestHandler(
                  req -> {
                    try {
                      RAW_ANSWERS.increment();
                      byte[] body = MAPPER.writeValueAsBytes(new Message("Hello, World!"));
                      req.response()
                          .putHeader("content-type", "application/json")
                          .end(Buffer.buffer(body));
                    } catch (Exception e) {
                      req.response().setStatusCode(500).end();
                    }
                  });
      actual =
          server
              .listen(port, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS)
              .actualPort();
    }
    return actual;
  }

  private static int intArg(List<String> args, String name, int fallback) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? Integer.parseInt(args.get(i + 1)) : fallback;
  }

  /** One round; bytes are the whole process's heap allocation (all threads) per request. */
  private record Measured(
      double rps,
      double p50Millis,
      double p99Millis,
      double cpuMicrosPerRequest,
      double bytesPerRequest,
      ThreadSwitches.Snapshot.Rates switches) {
    static Measured median(List<Measured> runs) {
      List<Measured> sorted = new ArrayList<>(runs);
      sorted.sort((a, b) -> Double.compare(a.rps, b.rps));
      return sorted.get(sorted.size() / 2);
    }
  }
}
