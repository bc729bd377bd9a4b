package io.bulwark.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.runtime.autoscale.sim.CapacityModel;
import io.bulwark.runtime.autoscale.sim.Simulator;
import io.bulwark.runtime.autoscale.sim.TrafficShape;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad setting is refused with a message naming the setting and the bad value. */
class BadConfigTest {

  private static void refused(Executable build, String message) {
    assertThatThrownBy(build::execute)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void targetTracking() {
    refused(
        () -> TargetTracking.builder(Metric.REQUEST_RATE, 0),
        "targetTracking.targetPerInstance must be positive, was 0.0");
    refused(
        () -> TargetTracking.builder(Metric.REQUEST_RATE, Double.NaN),
        "targetTracking.targetPerInstance must be positive, was NaN");
    refused(
        () -> TargetTracking.builder(Metric.REQUEST_RATE, 70).tolerance(1.5),
        "targetTracking.tolerance must be in [0.0, 0.99], was 1.5");
    refused(
        () ->
            TargetTracking.builder(Metric.REQUEST_RATE, 70)
                .scaleDownStabilisation(Duration.ofSeconds(-1)),
        "targetTracking.scaleDownStabilisation must not be negative, was PT-1S");
    refused(
        () -> TargetTracking.builder(Metric.REQUEST_RATE, 70).minInstances(0),
        "targetTracking.minInstances must be positive, was 0");
    refused(
        () -> TargetTracking.builder(Metric.REQUEST_RATE, 70).maxStepUp(0),
        "targetTracking.maxStepUp must be positive, was 0");
    refused(
        () ->
            TargetTracking.builder(Metric.REQUEST_RATE, 70).minInstances(5).maxInstances(4).build(),
        "targetTracking.maxInstances (4) must be at least targetTracking.minInstances (5)");
  }

  @Test
  void knative() {
    refused(
        () -> KnativeConcurrency.builder(-1), "kpa.targetPerInstance must be positive, was -1.0");
    refused(
        () -> KnativeConcurrency.builder(3).panicThreshold(0.5),
        "kpa.panicThreshold must be at least 1.0, was 0.5");
    refused(
        () -> KnativeConcurrency.builder(3).panicWindow(Duration.ofSeconds(60)).build(),
        "kpa.panicWindow (PT1M) must be shorter than kpa.stableWindow (PT1M)");
    refused(
        () -> KnativeConcurrency.builder(3).stableWindow(Duration.ZERO),
        "kpa.stableWindow must be positive, was PT0S");
    refused(
        () -> KnativeConcurrency.builder(3).maxScaleDownRate(0.5),
        "kpa.maxScaleDownRate must be at least 1.0, was 0.5");
  }

  @Test
  void lag() {
    refused(() -> LagScaling.builder(0), "lag.lagPerInstance must be positive, was 0.0");
    refused(
        () -> LagScaling.builder(10).activationLag(-1),
        "lag.activationLag must not be negative, was -1");
    refused(
        () -> LagScaling.builder(10).cooldown(Duration.ZERO),
        "lag.cooldown must be positive, was PT0S");
  }

  @Test
  void predictive() {
    TargetTracking base = TargetTracking.builder(Metric.REQUEST_RATE, 70).build();
    refused(
        () -> Predictive.builder(base, Metric.REQUEST_RATE, 70).lead(Duration.ofDays(1)).build(),
        "predictive.lead (PT24H) must be shorter than predictive.season (PT24H)");
    refused(
        () ->
            Predictive.builder(base, Metric.REQUEST_RATE, 70)
                .season(Duration.ofMinutes(20))
                .levelWindow(Duration.ofMinutes(30))
                .build(),
        "predictive.levelWindow (PT30M) must be shorter than predictive.season (PT20M)");
    refused(
        () -> Predictive.builder(base, Metric.REQUEST_RATE, 70).seasons(0),
        "predictive.seasons must be in [1, 52], was 0");
    refused(
        () -> Predictive.builder(base, Metric.REQUEST_RATE, -70),
        "predictive.targetPerInstance must be positive, was -70.0");
  }

  @Test
  void samplesAndHistories() {
    refused(
        () -> new LoadSample(0, 2, 3, 0, 0, 0, 0),
        "sample readyInstances must be within 0..2, was 3");
    refused(
        () -> new LoadSample(0, 2, 2, -1, 0, 0, 0),
        "sample requestRate must be a finite number >= 0, was -1.0");
    refused(
        () -> new LoadSample(0, 2, 2, 0, Double.POSITIVE_INFINITY, 0, 0),
        "sample concurrency must be a finite number >= 0, was Infinity");
    refused(() -> LoadSample.ofLag(0, 1, -5), "sample consumerLag must not be negative, was -5");
    refused(
        () -> History.of(List.of(LoadSample.ofLoad(10, 1, 1, 0), LoadSample.ofLoad(5, 1, 1, 0))),
        "history sample 1 at 5 ns is older than sample 0 at 10 ns: samples must be in time order");
    SampleLog log = new SampleLog(Duration.ofMinutes(1));
    log.append(LoadSample.ofLoad(10, 1, 1, 0));
    refused(
        () -> log.append(LoadSample.ofLoad(9, 1, 1, 0)),
        "sample at 9 ns is older than the last recorded one at 10 ns");
    refused(
        () -> new Recommendation<>(-1, "", java.util.Map.of(), NoMemory.NONE),
        "recommended instances must not be negative, was -1");
  }

  @Test
  void autoscalerAndSimulator() {
    refused(
        () ->
            Autoscaler.builder("cart", KnativeConcurrency.builder(3).build())
                .probe(now -> new LoadProbe.Load(0, 0, 0, 0))
                .scheduler(new VirtualScheduler())
                .sampleEvery(Duration.ofSeconds(10))
                .decideEvery(Duration.ofSeconds(5))
                .build(),
        "autoscaler.decideEvery (PT5S) must not be shorter than autoscaler.sampleEvery (PT10S)");
    refused(
        () -> Autoscaler.builder(" ", KnativeConcurrency.builder(3).build()),
        "autoscaler.service must not be blank, was \" \"");
    assertThatThrownBy(
            () ->
                Autoscaler.builder("cart", KnativeConcurrency.builder(3).build())
                    .scheduler(new VirtualScheduler())
                    .build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("autoscaler.probe must not be null");
    refused(
        () -> new CapacityModel(100, Duration.ofMillis(50), Duration.ofMinutes(2), 1.2),
        "capacity.sloUtilisation must be in (0, 1], was 1.2");
    refused(
        () ->
            TrafficShape.step(1, 2, Duration.ofHours(10), Duration.ofHours(9), Duration.ofDays(1)),
        "step.down (PT9H) must be after step.up (PT10H) and within PT24H");
    refused(
        () ->
            Simulator.builder(
                    TrafficShape.diurnal(1, 2, Duration.ofDays(1)),
                    new CapacityModel(100, Duration.ofMillis(50), Duration.ofMinutes(2), 0.9))
                .duration(Duration.ofSeconds(1))
                .step(Duration.ofSeconds(2))
                .build(),
        "simulator.step (PT2S) must not be longer than simulator.duration (PT1S)");
    refused(
        () -> TrafficShape.diurnal(10, 5, Duration.ofDays(1)),
        "diurnal.high must be at least 10.0, was 5.0");
  }
}
