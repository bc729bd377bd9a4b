package io.bulwark.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.runtime.autoscale.sim.CapacityModel;
import io.bulwark.runtime.autoscale.sim.Grading;
import io.bulwark.runtime.autoscale.sim.SimulationResult;
import io.bulwark.runtime.autoscale.sim.Simulator;
import io.bulwark.runtime.autoscale.sim.TrafficShape;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator's capacity model, start-up delay and grades, the oracle as a lower bound, and the
 * predictive policy's grade against target tracking on a short run (the full grading is {@code
 * ./bulwark bench autoscale}).
 */
class SimulatorTest {
  private static final CapacityModel MODEL =
      new CapacityModel(100, Duration.ofMillis(50), Duration.ofMinutes(2), 0.9);

  /** Always {@code n} instances. */
  private record Fixed(int n) implements ScalingPolicy<NoMemory> {
    @Override
    public String name() {
      return "fixed-" + n;
    }

    @Override
    public NoMemory initialMemory() {
      return NoMemory.NONE;
    }

    @Override
    public Recommendation<NoMemory> decide(History history, long nowNanos, NoMemory memory) {
      return new Recommendation<>(n, "fixed", java.util.Map.of(), NoMemory.NONE);
    }
  }

  private static Simulator constant(double rate, int initial) {
    return Simulator.builder(new TrafficShape.Named("flat", t -> rate), MODEL)
        .duration(Duration.ofHours(1))
        .initialInstances(initial)
        .build();
  }

  @Test
  void utilisationAboveTheBoundIsViolatedTimeAndInstancesCostTheirMinutes() {
    SimulationResult full = constant(90, 1).run(new Fixed(1), Duration.ofSeconds(15));
    assertThat(full.sloMinutes()).isZero(); // 90 % is within the bound
    SimulationResult over = constant(91, 1).run(new Fixed(1), Duration.ofSeconds(15));
    assertThat(over.sloMinutes()).isCloseTo(60, within(1e-9));
    assertThat(over.instanceMinutes()).isCloseTo(60, within(1e-9));
    SimulationResult two = constant(91, 2).run(new Fixed(2), Duration.ofSeconds(15));
    assertThat(two.sloMinutes()).isZero();
    assertThat(two.instanceMinutes()).isCloseTo(120, within(1e-9));
    assertThat(two.decisions()).isZero();
  }

  @Test
  void aStepIsViolatedForTheStartUpDelayPlusTheQueueDrain() {
    // 90/s on 2 instances, then 900/s from 600 s; target tracking decides at 600 s (13 instances),
    // they serve from 720 s; the queue (10 s of arrivals = 9000) then drains 800 per 2 s step and
    // stays violating while above 540: 11 more steps. 120 s + 22 s.
    TrafficShape step =
        TrafficShape.step(
            90, 900, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(2));
    Simulator sim =
        Simulator.builder(step, MODEL).duration(Duration.ofMinutes(30)).initialInstances(2).build();
    List<Integer> counts = new ArrayList<>();
    SimulationResult r =
        sim.run(
            TargetTracking.builder(Metric.REQUEST_RATE, 70).minInstances(2).build(),
            Duration.ofSeconds(15),
            rec -> counts.add(rec.instances()));
    assertThat(r.sloMinutes()).isCloseTo(142 / 60.0, within(1e-9));
    assertThat(r.decisions()).isEqualTo(1);
    assertThat(r.peakInstances()).isEqualTo(13);
    assertThat(counts.get(38)).isEqualTo(2); // 585 s
    assertThat(counts.get(39)).isEqualTo(13); // 600 s
    // a decision acts after its step is counted: 2 instances through the step at 600 s (602 s),
    // 13 for the remaining 1198 s
    assertThat(r.instanceMinutes()).isCloseTo((2 * 602 + 13 * 1198) / 60.0, within(1e-9));
  }

  @Test
  void theOracleNeverViolatesAndNoPolicyBeatsItsInstanceMinutesWithoutViolating() {
    Grading grading = Grading.of(Duration.ofDays(1), Duration.ofSeconds(10), 7);
    for (TrafficShape shape : grading.shapes()) {
      Simulator sim =
          Simulator.builder(shape, Grading.model())
              .duration(Duration.ofDays(1))
              .step(Duration.ofSeconds(10))
              .build();
      SimulationResult oracle = sim.oracle();
      assertThat(oracle.sloMinutes()).isZero();
      for (int n : new int[] {5, 10, 20, 30}) {
        SimulationResult fixed = sim.run(new Fixed(n), Duration.ofSeconds(15));
        if (fixed.instanceMinutes() < oracle.instanceMinutes()) {
          assertThat(fixed.sloMinutes()).as("%s with %d", shape.name(), n).isPositive();
        }
      }
      assertThat(sim.run(Grading.targetTracking(), Duration.ofSeconds(15)).instanceMinutes())
          .isGreaterThan(oracle.instanceMinutes());
    }
  }

  @Test
  void thePredictivePolicyReadsOnlyThePastOfTheSimulatedTraffic() {
    // two shapes equal for the first 1.5 days and different after: every decision before then
    // must be the same
    TrafficShape a =
        TrafficShape.step(300, 1500, Duration.ofHours(8), Duration.ofHours(18), Duration.ofDays(1));
    long split = Duration.ofHours(36).toNanos();
    TrafficShape b = new TrafficShape.Named("step-b", t -> t < split ? a.rate(t) : 3000);
    List<Recommendation<NoMemory>> ra = predictiveDecisions(a);
    List<Recommendation<NoMemory>> rb = predictiveDecisions(b);
    int before = (int) (Duration.ofHours(36).toSeconds() / 15) - 1;
    assertThat(ra.subList(0, before)).isEqualTo(rb.subList(0, before));
    assertThat(ra.subList(before, ra.size())).isNotEqualTo(rb.subList(before, rb.size()));
  }

  private static List<Recommendation<NoMemory>> predictiveDecisions(TrafficShape shape) {
    List<Recommendation<NoMemory>> sink = new ArrayList<>();
    Simulator.builder(shape, MODEL)
        .duration(Duration.ofDays(2))
        .step(Duration.ofSeconds(10))
        .build()
        .run(Grading.predictive(), Duration.ofSeconds(15), sink::add);
    return sink;
  }

  @Test
  void predictiveViolatesFewerSloMinutesThanTargetTrackingAtAtMostTenPercentMoreInstances() {
    Grading grading = Grading.of(Duration.ofDays(3), Duration.ofSeconds(10), 1);
    double reactiveSlo = 0;
    double reactiveMinutes = 0;
    double predictiveSlo = 0;
    double predictiveMinutes = 0;
    for (TrafficShape shape : grading.shapes().subList(1, 3)) { // spike, step
      Simulator sim =
          Simulator.builder(shape, Grading.model())
              .duration(Duration.ofDays(3))
              .step(Duration.ofSeconds(10))
              .build();
      SimulationResult tt = sim.run(Grading.targetTracking(), Duration.ofSeconds(15));
      SimulationResult p = sim.run(Grading.predictive(), Duration.ofSeconds(15));
      reactiveSlo += tt.sloMinutes();
      reactiveMinutes += tt.instanceMinutes();
      predictiveSlo += p.sloMinutes();
      predictiveMinutes += p.instanceMinutes();
    }
    assertThat(predictiveSlo).isLessThan(reactiveSlo);
    assertThat(predictiveMinutes).isLessThanOrEqualTo(1.10 * reactiveMinutes);
  }
}
