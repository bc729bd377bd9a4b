package io.bulwark.examples.shop.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.examples.shop.Invariant;
import io.bulwark.examples.shop.InvariantReport;
import io.bulwark.examples.shop.gameday.Step;
import io.bulwark.examples.shop.gameday.StepEvent;
import io.bulwark.examples.shop.load.FakeShop;
import io.bulwark.examples.shop.load.LoadGenerator;
import io.bulwark.examples.shop.load.LoadOptions;
import io.bulwark.examples.shop.load.LoadPlan;
import io.bulwark.examples.shop.load.LoadReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A run passes when its SLOs, its invariants and its guarantee steps hold. */
class RunVerdictTest {

  @Test
  void aFailedGuaranteeStepFailsARunWhoseSlosAndInvariantsHeldAndAnotherStepsFailureDoesNot()
      throws Exception {
    InvariantReport holds =
        new InvariantReport(
            List.of(new Invariant("no payment charged twice", true, "0")), Map.of());
    Step intruder = new Step(0.15, "intruder", Step.Action.none(), true);
    Step kill = new Step(0.40, "kill", Step.Action.none());
    LoadReport load;
    try (FakeShop shop = new FakeShop(FakeShop.happy())) {
      load =
          new LoadGenerator(
                  new LoadOptions(20, Duration.ofSeconds(1), 5, Duration.ofSeconds(10)),
                  new LoadPlan(5, FakeShop.ASSORTMENT),
                  s -> shop.uri())
              .run();
    }
    StepEvent refused = event(intruder, null, "refused: plain HTTP got no answer");
    StepEvent breach = event(intruder, "BREACH: accepted the intruder's charge", null);
    StepEvent killFailed = event(kill, "no such instance", null);

    assertThat(run(load, holds, List.of(refused, killFailed)).passed())
        .as("a plain step's failure is reported, not judged")
        .isTrue();
    assertThat(run(load, holds, List.of(breach, killFailed)).passed()).isFalse();
    assertThat(run(load, null, List.of(refused)).passed()).as("interrupted").isFalse();
    assertThat(
            SummaryTable.rows(
                    List.of(
                        judged(run(load, holds, List.of(refused, killFailed))),
                        judged(run(load, holds, List.of(breach)))))
                .get("guarantee steps held"))
        .containsExactly("1/1", "0/1 FAILED intruder: BREACH: accepted the intruder's charge");
  }

  /** {@code r} with the SLO verdicts on its load (the summary table has a row per SLO). */
  private static RunResult judged(RunResult r) {
    return new RunResult(
        r.resilience(),
        r.scenario(),
        r.load(),
        UserSlos.judge(r.load()),
        r.invariants(),
        r.steps(),
        r.breakersOpened(),
        r.startup(),
        r.instancePorts(),
        r.runtimeEvents());
  }

  private static StepEvent event(Step step, String error, String outcome) {
    return new StepEvent(step, Duration.ZERO, Duration.ZERO, Duration.ZERO, error, outcome);
  }

  private static RunResult run(LoadReport load, InvariantReport invariants, List<StepEvent> steps) {
    return new RunResult(
        true,
        "game-day",
        load,
        List.of(),
        invariants,
        steps,
        List.of(),
        Duration.ZERO,
        Map.of(),
        List.of());
  }
}
