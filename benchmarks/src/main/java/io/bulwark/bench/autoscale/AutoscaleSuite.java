package io.bulwark.bench.autoscale;

import io.bulwark.bench.BenchResult;
import io.bulwark.bench.BenchSuite;
import io.bulwark.runtime.autoscale.sim.Grading;
import io.bulwark.runtime.autoscale.sim.SimulationResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bulwark bench autoscale}: the autoscaling policies graded in the simulator under virtual
 * time ({@link Grading}): per traffic shape and policy the SLO minutes violated, the
 * instance-minutes used and the decisions that changed the count, with the oracle (which knows the
 * future) as the lower bound. The headline compares the predictive policy with the best reactive
 * one (fewest SLO minutes over all shapes): {@code ratio} is predictive SLO minutes / best reactive
 * SLO minutes (target below 1 at an {@code instance_minutes_ratio} of at most 1.10).
 *
 * <p>Arguments: {@code --days N} simulated days (default 4; the predictive policy learns from the
 * days before), {@code --step SECONDS} (default 2), {@code --seed N} (default 1), {@code --quick}
 * (2 days in 10 s steps).
 */
public final class AutoscaleSuite implements BenchSuite {
  @Override
  public String name() {
    return "autoscale";
  }

  @Override
  public String description() {
    return "autoscaling policies on shaped traffic in virtual time: predictive vs best reactive";
  }

  @Override
  public BenchResult run(List<String> args, PrintStream out) {
    boolean quick = args.contains("--quick");
    int days = intArg(args, "--days", quick ? 2 : 4);
    int step = intArg(args, "--step", quick ? 10 : 2);
    long seed = intArg(args, "--seed", 1);
    long started = System.nanoTime();
    List<SimulationResult> rows =
        Grading.of(Duration.ofDays(days), Duration.ofSeconds(step), seed).run();
    out.printf(
        Locale.ROOT,
        "autoscale: %d simulated days in %d s steps, seed %d; instances of %.0f req/s, start-up %s,"
            + " SLO up to %.0f %% utilisation%n%n",
        days,
        step,
        seed,
        Grading.model().capacityPerInstance(),
        Grading.model().startupDelay(),
        Grading.model().sloUtilisation() * 100);
    out.printf(
        Locale.ROOT,
        "%-15s %-16s %12s %16s %10s %6s %14s%n",
        "shape",
        "policy",
        "SLO minutes",
        "instance-min",
        "decisions",
        "peak",
        "vs oracle");
    Map<String, Double> oracle = new LinkedHashMap<>();
    rows.stream()
        .filter(r -> r.policy().equals("oracle"))
        .forEach(r -> oracle.put(r.shape(), r.instanceMinutes()));
    for (SimulationResult r : rows) {
      print(out, r, r.instanceMinutes() / oracle.get(r.shape()));
    }
    Map<String, SimulationResult> totals = Grading.totals(rows);
    double oracleTotal = totals.get("oracle").instanceMinutes();
    out.println();
    for (SimulationResult r : totals.values()) {
      print(out, r, r.instanceMinutes() / oracleTotal);
    }
    SimulationResult best = Grading.bestReactive(totals);
    SimulationResult predictive = totals.get("predictive");
    double sloRatio = predictive.sloMinutes() / best.sloMinutes();
    double minutesRatio = predictive.instanceMinutes() / best.instanceMinutes();
    out.printf(
        Locale.ROOT,
        "%nbest reactive: %s (%.1f SLO minutes); predictive: %.1f SLO minutes (%.3fx) at %.3fx its"
            + " instance-minutes; target: < 1x at <= 1.10x: %s (%.1f s)%n",
        best.policy(),
        best.sloMinutes(),
        predictive.sloMinutes(),
        sloRatio,
        minutesRatio,
        sloRatio < 1 && minutesRatio <= 1.10 ? "met" : "MISSED",
        (System.nanoTime() - started) / 1e9);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("predictive_slo_minutes", predictive.sloMinutes());
    metrics.put("best_reactive_slo_minutes", best.sloMinutes());
    metrics.put("instance_minutes_ratio", minutesRatio);
    return new BenchResult(name(), metrics, sloRatio);
  }

  private static void print(PrintStream out, SimulationResult r, double vsOracle) {
    out.printf(
        Locale.ROOT,
        "%-15s %-16s %12.1f %16.0f %10d %6d %13.2fx%n",
        r.shape(),
        r.policy(),
        r.sloMinutes(),
        r.instanceMinutes(),
        r.decisions(),
        r.peakInstances(),
        vsOracle);
  }

  private static int intArg(List<String> args, String name, int fallback) {
    int i = args.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    String value = args.get(i + 1);
    try {
      int n = Integer.parseInt(value);
      if (n <= 0) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was \"" + value + "\"");
    }
  }
}
