package io.bulwark.examples.shop.gameday;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.ChaosConfig;
import io.bulwark.chaos.Fault;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.examples.shop.Shop;
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

  @Test
  void theGameDayRunsTheContractsStepsAtTheirFractions() throws Exception {
    try (GameDay day = start(Scenarios.byName("game-day"), Duration.ofSeconds(100))) {
      assertThat(next().step().title()).isEqualTo("steady state");
      scheduler.advance(Duration.ofMillis(14_999));
      assertThat(scheduler.pendingTasks()).as("bad deploy not due yet").isEqualTo(4);
      scheduler.advance(Duration.ofMillis(1));
      StepEvent deploy = next();
      assertThat(deploy.planned()).isEqualTo(Duration.ofSeconds(15));
      assertThat(deploy.started()).isEqualTo(Duration.ofSeconds(15));
      assertThat(instances.list())
          .containsExactly("deploy payments-2 " + Shop.BAD_PAYMENTS_VERSION);
      scheduler.advance(Duration.ofSeconds(25));
      assertThat(next().planned()).isEqualTo(Duration.ofSeconds(40));
      assertThat(instances.list()).endsWith("kill inventory-2"); // through the kill SPI
      assertThat(chaos.active()).isEmpty();
      scheduler.advance(Duration.ofSeconds(20));
      assertThat(next().planned()).isEqualTo(Duration.ofSeconds(60));
      // recommendations down: a 503 fault on every call to recommendations
      assertThat(chaos.active())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.spec().fault()).isEqualTo(new Fault.HttpError(503));
                assertThat(f.spec().radius().service()).isEqualTo("recommendations");
                assertThat(f.spec().radius().points()).containsExactly(FaultPointKind.HTTP_CLIENT);
              });
      scheduler.advance(Duration.ofSeconds(20));
      StepEvent heal = next();
      assertThat(heal.planned()).isEqualTo(Duration.ofSeconds(80));
      assertThat(chaos.active()).isEmpty();
      assertThat(instances.list())
          .containsExactly(
              "deploy payments-2 " + Shop.BAD_PAYMENTS_VERSION,
              "kill inventory-2",
              "deploy payments-2 " + Shop.GOOD_VERSION,
              "restart inventory-2");
      assertThat(day.events()).hasSize(5).allMatch(StepEvent::ok);
      assertThat(scheduler.pendingTasks()).isZero();
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
        .containsExactly("game-day", "steady", "bad-deploy");
    assertThat(Scenarios.byName("steady").steps()).hasSize(1);
    assertThatThrownBy(() -> Scenarios.byName("chaos-monkey"))
        .hasMessageContaining("\"chaos-monkey\"")
        .hasMessageContaining("game-day, steady, bad-deploy");
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
