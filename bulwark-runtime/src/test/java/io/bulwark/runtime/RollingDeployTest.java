package io.bulwark.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.core.time.Scheduler;
import io.bulwark.runtime.RolloutResult.Outcome;
import io.bulwark.runtime.RolloutResult.Step;
import io.bulwark.test.VirtualScheduler;
import io.bulwark.test.kit.TimeDriver;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling deploys under load with canary analysis on virtual time: the test drives exactly 30
 * requests to each ready instance per bake window, then advances the clock by the bake, so every
 * judgement sees exact counts. A version whose name starts with {@code bad} fails 3 of every 10
 * requests.
 */
class RollingDeployTest {
  @TempDir Path root;
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private static final Duration BAKE = Duration.ofSeconds(30);
  private final RolloutPolicy policy =
      RolloutPolicy.builder().bake(BAKE).minRequests(20).errorRateMargin(0.05).build();

  private SystemRuntime start() {
    return start(Duration.ofSeconds(30));
  }

  private SystemRuntime start(Duration readiness) {
    SystemModel model =
        SystemModel.builder("r")
            .service(
                ServiceSpec.builder("pay", NodeFactory.class.getName())
                    .instances(3)
                    .version("1.0")
                    .build())
            .build();
    SystemRuntime rt =
        SystemRuntime.inProcess(
            model,
            RuntimeOptions.builder(root)
                .scheduler(scheduler)
                .systemPort(-1)
                .readinessTimeout(readiness)
                .build());
    rt.start();
    return rt;
  }

  /** Runs the rollout on another thread and feeds each bake window its load, then its time. */
  private RolloutResult rollOut(SystemRuntime rt, String version) throws Exception {
    return rollOut(rt, version, policy, 30);
  }

  /**
   * {@link #rollOut(SystemRuntime, String)} under {@code p}, with {@code perWindow} requests to
   * each ready instance per bake window.
   */
  private RolloutResult rollOut(SystemRuntime rt, String version, RolloutPolicy p, int perWindow)
      throws Exception {
    Semaphore baking = new Semaphore(0);
    rt.addListener(
        new RuntimeListener() {
          @Override
          public void onEvent(RuntimeEvent e) {
            if (e.kind() == RuntimeEvent.Kind.ROLLOUT_STEP && e.detail().startsWith("baking")) {
              baking.release();
            }
          }
        });
    try (var exec = Executors.newVirtualThreadPerTaskExecutor();
        HttpClient http = Probe.client()) {
      CompletableFuture<RolloutResult> result =
          CompletableFuture.supplyAsync(() -> rt.rollingDeploy("pay", version, p), exec);
      while (!result.isDone()) {
        if (baking.tryAcquire(50, TimeUnit.MILLISECONDS)) {
          List<InstanceHandle> ready = rt.instances("pay");
          long[] before = new long[ready.size()];
          for (int k = 0; k < ready.size(); k++) {
            before[k] = ready.get(k).answered();
            for (int i = 0; i < perWindow; i++) {
              Probe.get(http, ready.get(k).port(), "/hello");
            }
          }
          // an answer is counted just after it is written: the window closes once all are counted
          boolean counted =
              TimeDriver.real(Scheduler.system())
                  .passUntil(
                      Duration.ofSeconds(10),
                      () -> {
                        for (int k = 0; k < ready.size(); k++) {
                          if (ready.get(k).answered() < before[k] + perWindow) {
                            return false;
                          }
                        }
                        return true;
                      });
          assertThat(counted).as("the window's answers counted within 10 s").isTrue();
          scheduler.advance(BAKE);
        }
      }
      return result.get();
    }
  }

  @Test
  void aVersionFailing30PercentRollsBackAtTheFirstStepWithExactCounts() throws Exception {
    try (SystemRuntime rt = start()) {
      RolloutResult r = rollOut(rt, "bad-2.0");

      assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(r.steps()).hasSize(1);
      Step step = r.steps().getFirst();
      assertThat(step.instance()).isEqualTo("pay-1");
      assertThat(List.of(step.newRequests(), step.newBad(), step.oldRequests(), step.oldBad()))
          .containsExactly(30L, 9L, 60L, 0L);
      assertThat(step.newBurnRate()).isCloseTo(30.0, within(1e-9)); // 0.30 / (1 - 0.99)
      assertThat(step.oldBurnRate()).isZero();
      assertThat(step.passed()).isFalse();
      assertThat(r.reason()).contains("worse than v1.0").contains("new 30 req 0.300 err");
      assertThat(rt.instances("pay"))
          .allSatisfy(
              h -> {
                assertThat(h.version()).isEqualTo("1.0");
                assertThat(h.state()).isEqualTo(InstanceState.READY);
              });
      assertThat(rt.discovery().endpoints("pay"))
          .allSatisfy(e -> assertThat(e.metadata()).containsEntry("version", "1.0"));
      assertThat(rt.events())
          .extracting(RuntimeEvent::kind)
          .contains(RuntimeEvent.Kind.ROLLED_BACK)
          .doesNotContain(RuntimeEvent.Kind.ROLLOUT_COMPLETED);
    }
  }

  /** The test's policy, waiting up to {@code bakes} bake windows for its 20 answers. */
  private static RolloutPolicy waitingBakes(int bakes) {
    return RolloutPolicy.builder()
        .bake(BAKE)
        .minRequests(20)
        .errorRateMargin(0.05)
        .maxWait(BAKE.multipliedBy(bakes))
        .build();
  }

  @Test
  void aCanaryStarvedOfTrafficIsRolledBackOnceItsFailuresDecideWithoutWaitingOutMaxWait()
      throws Exception {
    // 4 requests per instance per window, 20 needed: the old rule waited out maxWait (3 bakes,
    // 12 answers, 5 bad = 42 %) and then passed the canary for too few answers
    RolloutPolicy starved = waitingBakes(3);
    try (SystemRuntime rt = start()) {
      long began = scheduler.clock().nanoTime();
      RolloutResult r = rollOut(rt, "bad-2.0", starved, 4);

      assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      // the first window: requests 0..3 of pay-1, of which 0, 1 and 2 fail; at best 3/20 = 0.15
      assertThat(r.steps()).hasSize(1);
      Step step = r.steps().getFirst();
      assertThat(List.of(step.newRequests(), step.newBad(), step.oldRequests(), step.oldBad()))
          .containsExactly(4L, 3L, 8L, 0L);
      assertThat(step.passed()).isFalse();
      assertThat(scheduler.clock().nanoTime() - began).isEqualTo(BAKE.toNanos());
      assertThat(r.reason()).contains("new 4 req 0.750 err");
      assertThat(rt.instances("pay")).allSatisfy(h -> assertThat(h.version()).isEqualTo("1.0"));
    }
  }

  @Test
  void aGoodCanaryWithTooFewAnswersWaitsOutMaxWaitAndPasses() throws Exception {
    RolloutPolicy starved = waitingBakes(2);
    try (SystemRuntime rt = start()) {
      long began = scheduler.clock().nanoTime();
      RolloutResult r = rollOut(rt, "2.0", starved, 4);

      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(r.steps())
          .containsExactly(
              new Step("pay-1", 8, 0, 16, 0, 0.0, 0.0, true),
              new Step("pay-2", 16, 0, 8, 0, 0.0, 0.0, true),
              new Step("pay-3", 24, 0, 8, 0, 0.0, 0.0, true));
      assertThat(scheduler.clock().nanoTime() - began).isEqualTo(BAKE.multipliedBy(6).toNanos());
    }
  }

  @Test
  void aGoodVersionCompletesStepByStepAndTheLastStepIsJudgedAgainstThePreviousOldWindow()
      throws Exception {
    try (SystemRuntime rt = start()) {
      RolloutResult r = rollOut(rt, "2.0");

      assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
      assertThat(r.steps())
          .containsExactly(
              new Step("pay-1", 30, 0, 60, 0, 0.0, 0.0, true),
              new Step("pay-2", 60, 0, 30, 0, 0.0, 0.0, true),
              new Step("pay-3", 90, 0, 30, 0, 0.0, 0.0, true));
      assertThat(rt.instances("pay")).allSatisfy(h -> assertThat(h.version()).isEqualTo("2.0"));
      assertThat(rt.events())
          .extracting(RuntimeEvent::kind)
          .contains(RuntimeEvent.Kind.ROLLOUT_COMPLETED);
    }
  }

  @Test
  void aVersionThatNeverGetsReadyFailsToStartWhileTheOldInstancesKeepServing() throws Exception {
    try (SystemRuntime rt = start(Duration.ofMillis(800));
        HttpClient http = Probe.client()) {
      List<Integer> others = List.of(rt.instance("pay-2").port(), rt.instance("pay-3").port());
      CompletableFuture<RolloutResult> result =
          CompletableFuture.supplyAsync(() -> rt.rollingDeploy("pay", "never-2", policy));
      int served = 0;
      List<String> failures = new java.util.ArrayList<>();
      while (!result.isDone() || served == 0) {
        for (int port : others) {
          var r = Probe.get(http, port, "/hello");
          if (r.statusCode() == 200) {
            served++;
          } else {
            failures.add(port + ": " + r.statusCode());
          }
        }
      }
      RolloutResult r = result.get(60, TimeUnit.SECONDS);

      assertThat(failures).as("calls to the old instances during the deploy").isEmpty();
      assertThat(served).isPositive();
      assertThat(r.outcome()).isEqualTo(Outcome.FAILED_TO_START);
      assertThat(r.steps()).isEmpty();
      assertThat(r.reason()).startsWith("pay-1 did not start vnever-2: ").contains("ready");
      assertThat(rt.instances("pay"))
          .hasSize(3)
          .allSatisfy(
              h -> {
                assertThat(h.version()).isEqualTo("1.0");
                assertThat(h.state()).isEqualTo(InstanceState.READY);
              });
      assertThat(rt.discovery().endpoints("pay"))
          .hasSize(3)
          .allSatisfy(e -> assertThat(e.metadata()).containsEntry("version", "1.0"));
      assertThat(Probe.get(http, rt.instance("pay-1").port(), "/hello").body())
          .isEqualTo("pay-1[]");
      assertThat(rt.events())
          .filteredOn(e -> e.kind() == RuntimeEvent.Kind.ROLLED_BACK)
          .singleElement()
          .satisfies(e -> assertThat(e.detail()).isEqualTo(r.reason()));
      assertThat(rt.events())
          .filteredOn(e -> e.kind() == RuntimeEvent.Kind.READY)
          .noneMatch(e -> e.detail().contains("never-2"));
    }
  }

  @Test
  void judgementBoundaries() {
    RolloutPolicy p =
        RolloutPolicy.builder().minRequests(10).errorRateMargin(0.1).burnRateMargin(100).build();
    // exactly at the margin passes; just beyond fails
    assertThat(judge(p, 100, 10, 100, 0).passed()).isTrue();
    assertThat(judge(p, 100, 11, 100, 0).passed()).isFalse();
    // the old side being bad too: only the difference counts
    assertThat(judge(p, 100, 30, 100, 25).passed()).isTrue();
    // fewer than minRequests: the missing answers count as good (bad over 10)
    assertThat(judge(p, 9, 1, 100, 0).passed()).isTrue(); // at best 0.1: within
    assertThat(judge(p, 9, 2, 100, 0).passed()).isFalse(); // at best 0.2: decided
    assertThat(judge(p, 2, 2, 100, 0).passed()).isFalse();
    assertThat(judge(p, 0, 0, 100, 0).passed()).isTrue(); // nobody called it: not worse
    assertThat(judge(p, 9, 2, 100, 10).passed()).isTrue(); // 0.2 vs 0.1: within
    // at minRequests and beyond, the measured rate alone
    assertThat(judge(p, 10, 2, 100, 0).passed()).isFalse();
    assertThat(judge(p, 20, 2, 100, 0).passed()).isTrue();
    // the burn margin alone (99% objective: 3% errors burn 3.0 vs 0)
    RolloutPolicy burn =
        RolloutPolicy.builder().minRequests(10).errorRateMargin(1).burnRateMargin(2.0).build();
    assertThat(judge(burn, 100, 3, 100, 0).passed()).isFalse();
    assertThat(judge(burn, 100, 2, 100, 0).passed()).isTrue();
  }

  private static Step judge(RolloutPolicy p, long newReq, long newBad, long oldReq, long oldBad) {
    return io.bulwark.runtime.internal.CanaryJudge.judge(p, "x", newReq, newBad, oldReq, oldBad);
  }

  @Test
  void badInputIsRefusedNamingIt() throws Exception {
    try (SystemRuntime rt = start()) {
      assertThatThrownBy(() -> rt.rollingDeploy("ghost", "2", policy))
          .hasMessageContaining("no service ghost");
      assertThatThrownBy(() -> rt.rollingDeploy("pay", " ", policy))
          .hasMessageContaining("version must not be blank");
    }
    assertThatThrownBy(() -> RolloutPolicy.builder().errorRateMargin(1.5))
        .hasMessageContaining("errorRateMargin")
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> RolloutPolicy.builder().objective(1.0))
        .hasMessageContaining("objective must be in (0, 1), got 1.0");
    assertThatThrownBy(() -> RolloutPolicy.builder().bake(Duration.ofMinutes(10)).build())
        .hasMessageContaining("maxWait");
  }
}
