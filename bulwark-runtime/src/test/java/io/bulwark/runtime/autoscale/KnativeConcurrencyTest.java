package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Traces.sec;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Exact decisions of {@link KnativeConcurrency} (3.5 in flight per instance, stable 60 s, panic 6
 * s, threshold 2.0) on traces sampled every 2 s, the memory threaded from call to call.
 */
class KnativeConcurrencyTest {
  private static final KnativeConcurrency KPA = KnativeConcurrency.builder(3.5).build();

  @Test
  void steadyLoadFollowsTheStableWindow() {
    Traces trace = Traces.every(2).concurrency(31, 4, 14);
    Recommendation<KpaMemory> r = KPA.decide(trace.history(), trace.last(), KpaMemory.CALM);
    assertThat(r.instances()).isEqualTo(4);
    assertThat(r.memory()).isEqualTo(KpaMemory.CALM);
    assertThat(r.reason())
        .isEqualTo("stable-window concurrency 14.00 at 3.50 per instance needs 4");
  }

  @Test
  void aBurstAtTwiceTheReadyCapacityEntersPanicAndScalesToThePanicCount() {
    // 14 in flight on 4 instances until 58 s, then 30 at 60, 62, 64 s
    Traces trace = Traces.every(2).concurrency(30, 4, 14).concurrency(3, 4, 30);
    Recommendation<KpaMemory> r = KPA.decide(trace.history(), sec(64), KpaMemory.CALM);
    // panic window (58, 64]: 30 -> ceil(8.57) = 9, ratio 30 / 3.5 / 4 = 2.14 >= 2
    assertThat(r.instances()).isEqualTo(9);
    assertThat(r.memory()).isEqualTo(new KpaMemory(true, sec(64), 9));
    assertThat(r.reason()).startsWith("panic: panic-window concurrency 30.00 is 2.14x");
    assertThat(r.inputs()).containsEntry("stable_concurrency", 15.6);
  }

  @Test
  void justBelowThePanicThresholdStaysCalmOnTheStableWindow() {
    Traces trace = Traces.every(2).concurrency(30, 4, 14).concurrency(3, 4, 27.9);
    Recommendation<KpaMemory> r = KPA.decide(trace.history(), sec(64), KpaMemory.CALM);
    // ratio 27.9 / 3.5 / 4 = 1.99; stable mean (27 x 14 + 3 x 27.9) / 30 = 15.39 -> 5
    assertThat(r.instances()).isEqualTo(5);
    assertThat(r.memory().panicking()).isFalse();
  }

  @Test
  void panicNeverScalesInAndEndsAStableWindowAfterTheLastOverThreshold() {
    Traces trace =
        Traces.every(2).concurrency(30, 4, 14).concurrency(3, 4, 30).concurrency(40, 9, 14);
    History h = trace.history();
    Recommendation<KpaMemory> r = KPA.decide(h.upTo(sec(64)), sec(64), KpaMemory.CALM);
    KpaMemory memory = r.memory();
    for (long t = 66; t <= 124; t += 2) {
      r = KPA.decide(h.upTo(sec(t)), sec(t), memory);
      memory = r.memory();
      assertThat(r.instances()).as("at %d s", t).isEqualTo(9);
      assertThat(r.reason()).as("at %d s", t).startsWith("panic (held): ");
    }
    // 126 - 64 = 62 s > 60 s without the condition: calm, and down by at most half of 9 ready
    r = KPA.decide(h.upTo(sec(126)), sec(126), memory);
    assertThat(r.memory()).isEqualTo(KpaMemory.CALM);
    assertThat(r.instances()).isEqualTo(4);
    assertThat(r.reason())
        .isEqualTo("panic over; stable-window concurrency 14.00 at 3.50 per instance needs 4");
  }

  @Test
  void aNewBurstDuringPanicExtendsItAndRaisesThePeak() {
    Traces trace =
        Traces.every(2)
            .concurrency(30, 4, 14)
            .concurrency(3, 4, 30)
            .concurrency(20, 9, 14)
            .concurrency(3, 9, 70);
    History h = trace.history();
    KpaMemory memory = KPA.decide(h.upTo(sec(64)), sec(64), KpaMemory.CALM).memory();
    for (long t = 66; t <= 104; t += 2) {
      memory = KPA.decide(h.upTo(sec(t)), sec(t), memory).memory();
    }
    Recommendation<KpaMemory> r = KPA.decide(h.upTo(sec(110)), sec(110), memory);
    // panic window (104, 110]: 70 -> 20 instances, ratio 70 / 3.5 / 9 = 2.22
    assertThat(r.instances()).isEqualTo(20);
    assertThat(r.memory()).isEqualTo(new KpaMemory(true, sec(110), 20));
  }

  @Test
  void scaleDownPerDecisionIsLimitedToHalvingTheReadyCount() {
    Traces trace = Traces.every(2).concurrency(31, 10, 1);
    assertThat(KPA.decide(trace.history(), trace.last(), KpaMemory.CALM).instances()).isEqualTo(5);
  }
}
