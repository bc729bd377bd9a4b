package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Traces.sec;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Exact decisions of {@link LagScaling} (100 records per instance, activation above 10). */
class LagScalingTest {
  private static final LagScaling TO_ZERO =
      LagScaling.builder(100)
          .activationLag(10)
          .scaleToZero(true)
          .cooldown(Duration.ofMinutes(5))
          .scaleDownStabilisation(Duration.ofMinutes(1))
          .build();

  private static Recommendation<NoMemory> decide(LagScaling policy, Traces trace) {
    return policy.decide(trace.history(), trace.last(), NoMemory.NONE);
  }

  @Test
  void aServiceAtZeroStaysThereUntilTheLagPassesTheActivationThreshold() {
    Recommendation<NoMemory> idle = decide(TO_ZERO, Traces.every(2).lag(1, 0, 10));
    assertThat(idle.instances()).isZero();
    assertThat(idle.reason()).isEqualTo("idle: lag 10 not above activation threshold 10");
    Recommendation<NoMemory> active = decide(TO_ZERO, Traces.every(2).lag(1, 0, 11));
    assertThat(active.instances()).isEqualTo(1);
    assertThat(active.reason()).isEqualTo("out: lag 11 at 100.00 per instance needs 1");
    assertThat(decide(TO_ZERO, Traces.every(2).lag(1, 1, 450)).instances()).isEqualTo(5);
  }

  @Test
  void scaleInIsStabilisedAndZeroComesOnlyAfterAWholeIdleCooldown() {
    // lag 450 on 5 instances at 0 s, then nothing waiting from 2 s on
    History h = Traces.every(2).lag(1, 5, 450).lag(200, 5, 0).history();
    assertThat(TO_ZERO.decide(h.upTo(sec(58)), sec(58), NoMemory.NONE).instances()).isEqualTo(5);
    Recommendation<NoMemory> in = TO_ZERO.decide(h.upTo(sec(60)), sec(60), NoMemory.NONE);
    assertThat(in.instances()).isEqualTo(1);
    assertThat(in.reason()).isEqualTo("in: highest count in the last 60s is 1");
    assertThat(TO_ZERO.decide(h.upTo(sec(298)), sec(298), NoMemory.NONE).instances()).isEqualTo(1);
    Recommendation<NoMemory> zero = TO_ZERO.decide(h.upTo(sec(300)), sec(300), NoMemory.NONE);
    assertThat(zero.instances()).isZero();
    assertThat(zero.reason()).isEqualTo("to zero: lag not above 10 for the cooldown of 300s");
  }

  @Test
  void aHistoryShorterThanTheCooldownNeverScalesToZero() {
    assertThat(decide(TO_ZERO, Traces.every(2).lag(100, 3, 0)).instances()).isEqualTo(1);
  }

  @Test
  void withoutScaleToZeroAnIdleServiceKeepsItsMinimum() {
    LagScaling keep = LagScaling.builder(100).minInstances(2).maxInstances(6).build();
    History h = Traces.every(2).lag(1, 5, 450).lag(400, 5, 0).history();
    assertThat(keep.decide(h, h.latest().atNanos(), NoMemory.NONE).instances()).isEqualTo(2);
    assertThat(decide(keep, Traces.every(2).lag(1, 2, 5000)).instances()).isEqualTo(6);
  }
}
