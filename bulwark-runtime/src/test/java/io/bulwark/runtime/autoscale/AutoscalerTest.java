package io.bulwark.runtime.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The {@link Autoscaler} loop under virtual time: it samples every 5 s, decides every 15 s, scales
 * through the {@link Scaler}, records every decision, and holds while a scale is still running.
 */
class AutoscalerTest {
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final CountingScaler scaler = new CountingScaler(2);

  /** 140/s until 60 s, then 700/s. */
  private final LoadProbe probe =
      now -> new LoadProbe.Load(now < Duration.ofSeconds(60).toNanos() ? 140 : 700, 0, 0, 0);

  private Autoscaler autoscaler(Executor executor, int keep, List<ScalingDecision> seen) {
    return Autoscaler.builder("cart", TargetTracking.builder(Metric.REQUEST_RATE, 70).build())
        .probe(probe)
        .scaler(scaler)
        .scheduler(scheduler)
        .executor(executor)
        .sampleEvery(Duration.ofSeconds(5))
        .decideEvery(Duration.ofSeconds(15))
        .keepDecisions(keep)
        .listener(
            d -> {
              seen.add(d);
              if (seen.size() == 1) {
                throw new IllegalStateException("a failing listener does not stop the loop");
              }
            })
        .build();
  }

  @Test
  void decidesOnScheduleFromTheSampledLoadAndScales() {
    List<ScalingDecision> seen = new ArrayList<>();
    try (Autoscaler a = autoscaler(Runnable::run, 100, seen).start()) {
      scheduler.advance(Duration.ofSeconds(90));
      List<ScalingDecision> d = a.decisions();
      assertThat(d)
          .extracting(x -> x.atNanos() / 1_000_000_000L)
          .containsExactly(15L, 30L, 45L, 60L, 75L, 90L);
      assertThat(d).extracting(ScalingDecision::from).containsExactly(2, 2, 2, 2, 10, 10);
      assertThat(d).extracting(ScalingDecision::to).containsExactly(2, 2, 2, 10, 10, 10);
      assertThat(d.get(3).reason())
          .isEqualTo("out: request_rate 700.00 needs 10 at 70.00 per instance");
      assertThat(d.get(3).service()).isEqualTo("cart");
      assertThat(d.get(3).policy()).isEqualTo("target-tracking");
      assertThat(d.get(3).inputs()).containsEntry("request_rate", 700.0);
      assertThat(scaler.calls).containsExactly(10);
      assertThat(seen).isEqualTo(d);
      assertThat(a.history().size()).isEqualTo(18);
    }
    scheduler.advance(Duration.ofSeconds(60));
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void whileAScaleIsRunningDecisionsAreHeldAndRecordedAsSuch() {
    Queue<Runnable> running = new ArrayDeque<>();
    try (Autoscaler a = autoscaler(running::add, 3, new ArrayList<>()).start()) {
      scheduler.advance(Duration.ofSeconds(75));
      List<ScalingDecision> d = a.decisions();
      assertThat(d).hasSize(3); // only the newest three are kept
      assertThat(d.get(1).to()).isEqualTo(10); // 60 s: the scale starts
      assertThat(d.get(2).to()).isEqualTo(2); // 75 s: still running
      assertThat(d.get(2).reason())
          .isEqualTo("held at 2: a scale is still running; policy wanted 10");
      assertThat(scaler.calls).isEmpty();
      running.remove().run();
      scheduler.advance(Duration.ofSeconds(15));
      assertThat(scaler.calls).containsExactly(10);
      assertThat(a.decisions().get(2).from()).isEqualTo(10);
      assertThat(running).isEmpty();
    }
  }

  /** Instances change at once when scaled; every call recorded. */
  private static final class CountingScaler implements Scaler {
    final List<Integer> calls = new ArrayList<>();
    int count;

    CountingScaler(int count) {
      this.count = count;
    }

    @Override
    public int instances(String service) {
      return count;
    }

    @Override
    public int readyInstances(String service) {
      return count;
    }

    @Override
    public void scale(String service, int instances) {
      calls.add(instances);
      count = instances;
    }
  }
}
