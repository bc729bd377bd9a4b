package io.bulwark.bench.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A diagnostic for the added-p99 question: the open-loop generator of the gateway suite against
 * already running targets, in alternating slices, printing each target's latency distribution (from
 * the intended start, coordinated-omission safe). Usage: {@code java -cp benchmarks.jar
 * io.bulwark.bench.gateway.OpenLoopProbe RATE SECONDS PORT...}; slices of 2 s alternate between the
 * ports until each has had SECONDS.
 */
public final class OpenLoopProbe {
  private OpenLoopProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: OpenLoopProbe RATE SECONDS PORT...");
      System.exit(2);
    }
    GatewaySuite.quietLogging();
    int rate = Integer.parseInt(args[0]);
    int seconds = Integer.parseInt(args[1]);
    int[] ports = new int[args.length - 2];
    List<List<OpenLoop.Result>> runs = new ArrayList<>();
    for (int i = 0; i < ports.length; i++) {
      ports[i] = Integer.parseInt(args[i + 2]);
      runs.add(new ArrayList<>());
    }
    try (OpenLoop loop = new OpenLoop(64)) {
      for (int i = 0; i < ports.length; i++) {
        loop.run(ports[i], rate, 0, 2); // warm-up, discarded
      }
      for (int s = 0; s < seconds; s += 2) {
        for (int i = 0; i < ports.length; i++) {
          runs.get(i).add(loop.run(ports[i], rate, 0, 2));
        }
      }
    }
    System.out.println("port    p50us   p90us   p99us  p99.9us   maxus  errors requests");
    for (int i = 0; i < ports.length; i++) {
      OpenLoop.Result r = OpenLoop.Result.merge(runs.get(i));
      System.out.println(
          String.format(
              Locale.ROOT,
              "%-6d %7.0f %7.0f %7.0f %8.0f %7.0f %7d %8d",
              ports[i],
              r.micros(50),
              r.micros(90),
              r.micros(99),
              r.micros(99.9),
              r.micros(100),
              r.errors(),
              r.requests()));
    }
  }
}
