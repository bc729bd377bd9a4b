package io.bulwark.runtime.autoscale.sim;

import io.bulwark.core.config.Checks;
import io.bulwark.runtime.autoscale.KnativeConcurrency;
import io.bulwark.runtime.autoscale.LagScaling;
import io.bulwark.runtime.autoscale.Metric;
import io.bulwark.runtime.autoscale.NoMemory;
import io.bulwark.runtime.autoscale.Predictive;
import io.bulwark.runtime.autoscale.TargetTracking;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standard grading of the autoscaling policies (what {@code ./bulwark bench autoscale} runs and
 * docs/runtime.md reports): four traffic shapes with a one-day season — a diurnal curve, a daily
 * spike with a seeded start jitter, a daily step, and a noisy diurnal curve growing 3 % a day —
 * against instances of 100 requests/s, 50 ms per request, a 2 minute start-up and an SLO that holds
 * up to 90 % utilisation. Every policy provisions for 70 % utilisation: target tracking on the
 * request rate (70/s per instance, decides every 15 s), Knative-style concurrency (3.5 in flight
 * per instance, every 2 s), event lag (500 queued per instance, every 15 s), and predictive over
 * target tracking (70/s per instance, lead 3 min 15 s, every 15 s). The oracle is the lower bound.
 */
public final class Grading {
  /** Reactive policies, by name; the headline compares predictive with the best of these. */
  public static final List<String> REACTIVE =
      List.of("target-tracking", "knative-kpa", "event-lag");

  private static final Duration DAY = Duration.ofDays(1);
  private static final CapacityModel MODEL =
      new CapacityModel(100, Duration.ofMillis(50), Duration.ofMinutes(2), 0.9);

  private final Duration duration;
  private final Duration step;
  private final long seed;

  private Grading(Duration duration, Duration step, long seed) {
    this.duration = Checks.positive("grading.duration", duration);
    this.step = Checks.positive("grading.step", step);
    this.seed = seed;
  }

  /** The standard grading over {@code duration} of simulated time in steps of {@code step}. */
  public static Grading of(Duration duration, Duration step, long seed) {
    return new Grading(duration, step, seed);
  }

  public static CapacityModel model() {
    return MODEL;
  }

  /** The four shapes. */
  public List<TrafficShape> shapes() {
    return List.of(
        TrafficShape.diurnal(200, 2000, DAY),
        TrafficShape.spike(
            500,
            2500,
            Duration.ofHours(12),
            Duration.ofMinutes(20),
            Duration.ofMinutes(3),
            DAY,
            seed),
        TrafficShape.step(300, 1500, Duration.ofHours(8), Duration.ofHours(18), DAY),
        TrafficShape.noisy(
            TrafficShape.diurnal(200, 2000, DAY), 0.1, Duration.ofSeconds(30), 0.03, DAY, seed));
  }

  /** Target tracking as graded. */
  public static TargetTracking targetTracking() {
    return TargetTracking.builder(Metric.REQUEST_RATE, 70).build();
  }

  /** Knative-style concurrency as graded. */
  public static KnativeConcurrency kpa() {
    return KnativeConcurrency.builder(3.5).build();
  }

  /** Event-lag scaling as graded. */
  public static LagScaling lag() {
    return LagScaling.builder(500).build();
  }

  /** Predictive over target tracking as graded. */
  public static Predictive<NoMemory> predictive() {
    return Predictive.builder(targetTracking(), Metric.REQUEST_RATE, 70)
        .season(DAY)
        .seasons(3)
        .lead(Duration.ofSeconds(195))
        .build();
  }

  /** Every policy on every shape, then the oracle per shape: rows in shape order. */
  public List<SimulationResult> run() {
    List<SimulationResult> rows = new ArrayList<>();
    for (TrafficShape shape : shapes()) {
      Simulator sim = Simulator.builder(shape, MODEL).duration(duration).step(step).build();
      rows.add(sim.run(targetTracking(), Duration.ofSeconds(15)));
      rows.add(sim.run(kpa(), Duration.ofSeconds(2)));
      rows.add(sim.run(lag(), Duration.ofSeconds(15)));
      rows.add(sim.run(predictive(), Duration.ofSeconds(15)));
      rows.add(sim.oracle());
    }
    return rows;
  }

  /** Per policy, the sums over the shapes (in first-seen order). */
  public static Map<String, SimulationResult> totals(List<SimulationResult> rows) {
    Map<String, SimulationResult> totals = new LinkedHashMap<>();
    for (SimulationResult r : rows) {
      totals.merge(
          r.policy(),
          new SimulationResult(
              r.policy(),
              "all",
              r.sloMinutes(),
              r.instanceMinutes(),
              r.decisions(),
              r.peakInstances()),
          (a, b) ->
              new SimulationResult(
                  a.policy(),
                  "all",
                  a.sloMinutes() + b.sloMinutes(),
                  a.instanceMinutes() + b.instanceMinutes(),
                  a.decisions() + b.decisions(),
                  Math.max(a.peakInstances(), b.peakInstances())));
    }
    return totals;
  }

  /**
   * The reactive policy with the fewest SLO minutes in total (fewer instance-minutes breaks a tie).
   */
  public static SimulationResult bestReactive(Map<String, SimulationResult> totals) {
    SimulationResult best = null;
    for (String name : REACTIVE) {
      SimulationResult r = totals.get(name);
      if (r == null) {
        continue;
      }
      if (best == null
          || r.sloMinutes() < best.sloMinutes()
          || (r.sloMinutes() == best.sloMinutes()
              && r.instanceMinutes() < best.instanceMinutes())) {
        best = r;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("no reactive policy among " + totals.keySet());
    }
    return best;
  }
}
