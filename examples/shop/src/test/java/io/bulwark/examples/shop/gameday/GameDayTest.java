package io.bulwark.examples.shop.gameday;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.LatencyDistribution;
import io.bulwark.chaos.NetworkPartitioner;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.examples.shop.Shop;
import io.bulwark.runtime.RolloutPolicy;
import io.bulwark.runtime.RolloutResult;
import io.bulwark.test.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Game days on virtual time: steps are due at their fractions and run in order. */
class GameDayTest {
  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final RecordingInstances instances = new RecordingInstances();
  private final BlockingQueue<StepEvent> done = new LinkedBlockingQueue<>();

  private final Chaos chaos =
      Chaos.builder().config(ChaosConfig.enabledDefaults()).scheduler(scheduler).build();

  @AfterEach
  void closeChaos() {
    chaos.close();
  }

  private GameDay start(Scenario scenario, Duration duration) {
    return start(
        scenario, duration, new GameDayChaos(chaos, (service, id) -> instances.apply(id).kill()));
  }

  private GameDay start(Scenario scenario, Duration duration, @Nullable GameDayChaos withChaos) {
    GameDay day = new GameDay(scenario, duration, instances, scheduler, withChaos);
    day.addListener(
        new GameDayListener() {
          @Override
          public void onStepDone(StepEvent event) {
            done.add(event);
          }
        });
    day.start();
    scheduler.runDue(); // steps at fraction 0 are due at once
    return day;
  }

  private StepEvent next() throws InterruptedException {
    StepEvent event = done.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("a step finished within 10 s").isNotNull();
    return event;
  }

  /** What the levers of the game day were asked to do, in order (besides the instances'). */
  private final java.util.Queue<String> levers = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private final List<RolloutPolicy> policies = new java.util.concurrent.CopyOnWriteArrayList<>();

  private GameDayChaos allLevers(RolloutResult.Outcome verdict) {
    return new GameDayChaos(
        chaos,
        (service, id) -> instances.apply(id).kill(),
        new NetworkPartitioner() {
          @Override
          public void partition(String a, String b, Mode mode) {
            levers.add("partition " + a + " " + b + " " + mode);
          }

          @Override
          public void heal(String a, String b) {
            levers.add("heal " + a + " " + b);
          }

          @Override
          public void healAll() {
            levers.add("heal all");
          }
        },
        (service, version, policy) -> {
          levers.add("rollout " + service + " " + version);
          policies.add(policy);
          return new RolloutResult(
              service, Shop.GOOD_VERSION, version, verdict, "judged worse", List.of());
        },
        factor -> levers.add("rate x" + factor),
        Duration.ZERO,
        service -> {
          levers.add("intrude " + service);
          return "refused (fake)";
        });
  }

  @Test
  void theGameDayRunsTheContractsStepsAtTheirFractions() throws Exception {
    try (GameDay day =
        start(
            Scenarios.byName("game-day"),
            Duration.ofSeconds(100),
            allLevers(RolloutResult.Outcome.ROLLED_BACK))) {
      assertThat(next().step().title()).isEqualTo("steady state");
      scheduler.advance(Duration.ofMillis(4_999));
      assertThat(scheduler.pendingTasks()).as("bad deploy not due yet").isEqualTo(9);
      scheduler.advance(Duration.ofMillis(1));
      StepEvent deploy = next();
      assertThat(deploy.planned()).isEqualTo(Duration.ofSeconds(5));
      assertThat(deploy.started()).isEqualTo(Duration.ofSeconds(5));
      // the runtime's rolling deploy with canary analysis, not a deploy of one instance
      assertThat(levers).containsExactly("rollout payments " + Shop.BAD_PAYMENTS_VERSION);
      assertThat(instances.list()).isEmpty();
      assertThat(deploy.outcome()).isEqualTo("rolled back by the runtime: judged worse");
      RolloutPolicy policy = policies.getFirst();
      assertThat(policy.bake()).isEqualTo(Duration.ofSeconds(5)); // 5 % of the run
      assertThat(policy.maxWait()).isEqualTo(Duration.ofSeconds(20));
      assertThat(policy.minRequests()).isEqualTo(10);

      scheduler.advance(Duration.ofSeconds(10));
      StepEvent intruder = next();
      assertThat(intruder.planned()).isEqualTo(Duration.ofSeconds(15));
      assertThat(intruder.step().guarantee()).as("a breach fails the run").isTrue();
      assertThat(intruder.outcome()).isEqualTo("refused (fake)");
      assertThat(levers).endsWith("intrude payments");

      scheduler.advance(Duration.ofSeconds(10));
      StepEvent slow = next();
      assertThat(slow.planned()).isEqualTo(Duration.ofSeconds(25));
      assertThat(chaos.active())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.spec().fault())
                    .isEqualTo(
                        new Fault.Latency(
                            LatencyDistribution.fixed(
                                Duration.ofMillis(Scenarios.SLOW_SHARD_MILLIS))));
                assertThat(f.spec().radius().service()).isEqualTo("inventory");
                assertThat(f.spec().radius().instance()).isEqualTo("inventory-3");
                assertThat(f.spec().radius().points()).containsExactly(FaultPointKind.HTTP_SERVER);
              });
      // the slow shard lasts 0.10 of the run, and is over before inventory-2 is killed
      scheduler.advance(Duration.ofMillis(9_999));
      assertThat(chaos.active()).hasSize(1);
      scheduler.advance(Duration.ofMillis(1));
      assertThat(chaos.active()).isEmpty();
      scheduler.advance(Duration.ofSeconds(5));
      assertThat(next().planned()).isEqualTo(Duration.ofSeconds(40));
      assertThat(instances.list()).containsExactly("kill inventory-2"); // through the kill SPI

      scheduler.advance(Duration.ofSeconds(8));
      assertThat(next().planned()).isEqualTo(Duration.ofSeconds(48));
      assertThat(levers).endsWith("rate x2.0");
      scheduler.advance(Duration.ofSeconds(12));
      assertThat(next().planned()).isEqualTo(Duration.ofSeconds(60));
      assertThat(levers).endsWith("rate x1.0");

      scheduler.advance(Duration.ofSeconds(2));
      assertThat(next().planned()).isEqualTo(Duration.ofSeconds(62));
      assertThat(levers)
          .endsWith("partition " + Scenarios.LINK_A + " " + Scenarios.LINK_B + " HANG");
      scheduler.advance(Duration.ofSeconds(10));
      assertThat(next().planned()).isEqualTo(Duration.ofSeconds(72));
      assertThat(levers).endsWith("heal " + Scenarios.LINK_A + " " + Scenarios.LINK_B);

      scheduler.advance(Duration.ofSeconds(8));
      StepEvent heal = next();
      assertThat(heal.planned()).isEqualTo(Duration.ofSeconds(80));
      assertThat(heal.outcome()).as("payments was rolled back: nothing to redeploy").isNull();
      assertThat(chaos.active()).isEmpty();
      assertThat(instances.list()).containsExactly("kill inventory-2", "restart inventory-2");
      assertThat(levers).endsWith("heal all", "rate x1.0");
      assertThat(day.events()).hasSize(10).allMatch(StepEvent::ok);
      assertThat(scheduler.pendingTasks()).isZero();
    }
  }

  @Test
  void aBadDeployThatIsNotRolledBackSaysSo() throws Exception {
    try (GameDay day =
        start(
            Scenarios.byName("bad-deploy"),
            Duration.ofSeconds(10),
            allLevers(RolloutResult.Outcome.COMPLETED))) {
      next();
      scheduler.advance(Duration.ofMillis(1_500));
      StepEvent deploy = next();
      assertThat(deploy.ok()).isTrue();
      assertThat(deploy.outcome()).startsWith("NOT rolled back");
      // a 10 s run: the bake's floor of 1 s, not 5 % (0.5 s)
      assertThat(policies.getFirst().bake()).isEqualTo(Duration.ofSeconds(1));
      assertThat(day.events()).hasSize(2);
    }
  }

  @Test
  @SuppressWarnings("try") // the day runs its steps until it is closed
  void stepsThatNeedLeversTheGameDayLacksFailNamingThem() throws Exception {
    // chaos and kills only (as a browser test gives): the rollout step fails, naming what it needs
    try (GameDay day = start(Scenarios.byName("bad-deploy"), Duration.ofSeconds(10))) {
      next();
      scheduler.advance(Duration.ofMillis(1_500));
      StepEvent deploy = next();
      assertThat(deploy.ok()).isFalse();
      assertThat(deploy.error()).contains("rolling deploy");
    }
  }

  @Test
  @SuppressWarnings("try") // the day runs its steps until it is closed
  void aFailingStepIsReportedAndTheNextStillRuns() throws Exception {
    Scenario scenario =
        new Scenario(
            "broken",
            "a step that throws",
            List.of(
                new Step(0.1, "boom", in -> in.apply("no such instance").stop()),
                new Step(0.2, "kill cart-1", in -> in.apply("cart-1").kill())));
    try (GameDay day = start(scenario, Duration.ofSeconds(10))) {
      scheduler.advance(Duration.ofSeconds(1));
      StepEvent boom = next();
      assertThat(boom.ok()).isFalse();
      assertThat(boom.error()).contains("no such instance");
      scheduler.advance(Duration.ofSeconds(1));
      assertThat(next().ok()).isTrue();
      assertThat(instances.list()).containsExactly("kill cart-1");
    }
  }

  @Test
  @SuppressWarnings("try") // the day runs its steps until it is closed
  void aChaosStepWithoutAChaosControllerFailsNamingWhy() throws Exception {
    Scenario scenario =
        new Scenario(
            "no-chaos",
            "a chaos step on a game day without chaos",
            List.of(
                new Step(0.1, "kill", Step.Action.chaos((in, c) -> c.killer().kill("a", "a-1")))));
    try (GameDay day = start(scenario, Duration.ofSeconds(10), null)) {
      scheduler.advance(Duration.ofSeconds(1));
      StepEvent kill = next();
      assertThat(kill.ok()).isFalse();
      assertThat(kill.error()).contains("no chaos controller");
    }
  }

  @Test
  void closingCancelsTheStepsNotYetDue() throws Exception {
    GameDay day = start(Scenarios.byName("bad-deploy"), Duration.ofSeconds(10));
    next(); // the steady-state marker at 0
    day.close();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(instances.list()).isEmpty();
    assertThat(day.events()).hasSize(1);
  }

  @Test
  void scenariosAreListedAndFoundByNameAndAnUnknownOneIsNamed() {
    assertThat(Scenarios.all())
        .extracting(Scenario::name)
        .containsExactly("game-day", "steady", "bad-deploy", "recommendations-down");
    assertThat(Scenarios.byName("steady").steps()).hasSize(1);
    assertThatThrownBy(() -> Scenarios.byName("chaos-monkey"))
        .hasMessageContaining("\"chaos-monkey\"")
        .hasMessageContaining("game-day, steady, bad-deploy, recommendations-down");
  }

  @Test
  void badStepsAndScenariosAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> new Step(1.0, "late", Step.Action.none()))
        .hasMessageContaining("late")
        .hasMessageContaining("1.0");
    assertThatThrownBy(() -> new Step(-0.1, "early", Step.Action.none()))
        .hasMessageContaining("-0.1");
    assertThatThrownBy(
            () ->
                new Scenario(
                    "order",
                    "x",
                    List.of(
                        new Step(0.5, "b", Step.Action.none()),
                        new Step(0.2, "a", Step.Action.none()))))
        .hasMessageContaining("\"a\"");
    assertThatThrownBy(() -> new Scenario("Bad Name", "x", List.of()))
        .hasMessageContaining("Bad Name");
  }
}
