package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Traces.sec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Exact decisions of {@link TargetTracking} on recorded traces (70 req/s per instance). */
class TargetTrackingTest {
  private static final TargetTracking HPA =
      TargetTracking.builder(Metric.REQUEST_RATE, 70).maxInstances(50).build();

  private static int decide(TargetTracking policy, Traces trace) {
    return policy.decide(trace.history(), trace.last(), NoMemory.NONE).instances();
  }

  @Test
  void deviationsInsideTheToleranceBandChangeNothingAndJustOutsideScaleOut() {
    // 10 instances at 70/s each is 700/s; the band is ±10 %
    assertThat(decide(HPA, Traces.every(2).load(1, 10, 769))).isEqualTo(10); // 1.0986
    assertThat(decide(HPA, Traces.every(2).load(1, 10, 770))).isEqualTo(10); // 1.10 exactly: inside
    assertThat(decide(HPA, Traces.every(2).load(1, 10, 771))).isEqualTo(12); // ceil(11.01)
    assertThat(decide(HPA, Traces.every(2).load(1, 10, 631))).isEqualTo(10); // 0.901: inside
  }

  @Test
  void scaleOutFollowsTheLatestSampleAtOnce() {
    Recommendation<NoMemory> r =
        HPA.decide(
            Traces.every(2).load(150, 4, 280).load(1, 4, 1400).history(), sec(300), NoMemory.NONE);
    assertThat(r.instances()).isEqualTo(20);
    assertThat(r.reason()).startsWith("out: request_rate 1400.00 needs 20");
    assertThat(r.inputs()).containsEntry("raw", 20.0).containsEntry("instances", 4.0);
  }

  @Test
  void scaleInWaitsForTheStabilisationWindowToForgetTheLastHighRecommendation() {
    // 10 instances busy (700/s) for samples 0..300 s, then 350/s (needs 5) from 302 s on
    Traces trace = Traces.every(2).load(151, 10, 700).load(200, 10, 350);
    History h = trace.history();
    // the last busy sample is at 300 s: it is in the window (now - 300 s, now] until 600 s
    assertThat(HPA.decide(h.upTo(sec(599)), sec(599), NoMemory.NONE).instances()).isEqualTo(10);
    Recommendation<NoMemory> held = HPA.decide(h.upTo(sec(598)), sec(598), NoMemory.NONE);
    assertThat(held.reason()).startsWith("hold: scale-in to 5 stabilised");
    // at 600 s the window (300 s, 600 s] no longer holds the busy sample taken at 300 s
    Recommendation<NoMemory> in = HPA.decide(h.upTo(sec(600)), sec(600), NoMemory.NONE);
    assertThat(in.instances()).isEqualTo(5);
    assertThat(in.reason()).startsWith("in: highest recommendation in the last 300s is 5");
  }

  @Test
  void aDipShorterThanTheWindowNeverScalesIn() {
    Traces trace = Traces.every(2).load(100, 10, 700).load(140, 10, 100).load(5, 10, 700);
    History h = trace.history();
    for (int i = 0; i < h.size(); i++) {
      long at = h.get(i).atNanos();
      assertThat(HPA.decide(h.upTo(at), at, NoMemory.NONE).instances())
          .as("at %d", i)
          .isEqualTo(10);
    }
  }

  @Test
  void oneDecisionMovesAtMostTheMaximumStepAndStaysWithinBounds() {
    TargetTracking stepped =
        TargetTracking.builder(Metric.REQUEST_RATE, 70)
            .maxStepUp(4)
            .maxStepDown(3)
            .scaleDownStabilisation(Duration.ZERO)
            .minInstances(2)
            .maxInstances(12)
            .build();
    assertThat(decide(stepped, Traces.every(2).load(1, 2, 1400))).isEqualTo(6);
    assertThat(decide(stepped, Traces.every(2).load(1, 10, 1400))).isEqualTo(12); // max
    assertThat(decide(stepped, Traces.every(2).load(1, 10, 70))).isEqualTo(7); // -3
    assertThat(decide(stepped, Traces.every(2).load(1, 3, 10))).isEqualTo(2); // min
    Recommendation<NoMemory> fromZero =
        stepped.decide(Traces.every(2).load(1, 0, 0).history(), 0, NoMemory.NONE);
    assertThat(fromZero.instances()).isEqualTo(2);
    assertThat(fromZero.reason()).endsWith("clamped to [2, 12]");
  }

  @Test
  void concurrencyIsTrackedTheSameWay() {
    TargetTracking c = TargetTracking.builder(Metric.CONCURRENCY, 5).build();
    assertThat(decide(c, Traces.every(2).concurrency(1, 2, 31))).isEqualTo(7);
  }

  @Test
  void aHistoryThatEndsAfterTheDecisionInstantIsRefused() {
    Traces trace = Traces.every(2).load(3, 1, 70);
    assertThatThrownBy(() -> HPA.decide(trace.history(), sec(3), NoMemory.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "history ends at 4000000000 ns, after the decision instant 3000000000 ns: a policy"
                + " must not see the future");
    assertThatThrownBy(() -> HPA.decide(History.empty(), 0, NoMemory.NONE))
        .hasMessage("history is empty: no sample to decide from");
  }
}
