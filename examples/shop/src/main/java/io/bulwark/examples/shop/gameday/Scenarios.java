package io.bulwark.examples.shop.gameday;

import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.examples.shop.Shop;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The game days the demo knows. {@code game-day} (the default) follows the shop's contract: steady
 * state; at 0.15 a bad deploy of {@code payments-2}; at 0.40 {@code inventory-2} killed and at 0.60
 * recommendations down, both as chaos (the runtime's kill SPI, an HTTP error fault on the calls to
 * recommendations); at 0.80 everything healed (the chaos faults cleared).
 */
public final class Scenarios {
  /** The default scenario's name. */
  public static final String DEFAULT = "game-day";

  private Scenarios() {}

  /** Every scenario, the default first. */
  public static List<Scenario> all() {
    return List.of(gameDay(), steady(), badDeploy());
  }

  /** The scenario called {@code name}; throws naming it and the known names if there is none. */
  public static Scenario byName(String name) {
    return all().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown scenario \""
                        + name
                        + "\"; known: "
                        + all().stream().map(Scenario::name).collect(Collectors.joining(", "))));
  }

  private static Scenario gameDay() {
    return new Scenario(
        DEFAULT,
        "steady; bad deploy of payments-2; inventory-2 killed; recommendations down; healed",
        List.of(
            new Step(0, "steady state", Step.Action.none()),
            badDeployStep(0.15),
            new Step(
                0.40,
                "chaos: kill inventory-2 (the runtime's instance-kill SPI)",
                Step.Action.chaos((in, c) -> c.killer().kill("inventory", "inventory-2"))),
            new Step(
                0.60,
                "chaos: recommendations down (http-error 503 on every call to recommendations)",
                Step.Action.chaos(Scenarios::recommendationsDown)),
            new Step(
                0.80,
                "heal: good payments-2, restart inventory-2, clear the chaos faults",
                Step.Action.chaos(Scenarios::heal))));
  }

  /**
   * Every call to recommendations answers 503 (a fault at the callers' HTTP client points), until
   * the heal clears it or, at the latest, the longest duration chaos allows.
   */
  private static void recommendationsDown(
      java.util.function.Function<String, io.bulwark.runtime.InstanceHandle> in, GameDayChaos c) {
    c.chaos()
        .start(
            new Fault.HttpError(503),
            BlastRadius.builder().dependency("recommendations").build(),
            c.chaos().config().maxDuration());
  }

  private static Scenario steady() {
    return new Scenario(
        "steady",
        "no faults: the load alone, a baseline",
        List.of(new Step(0, "steady state", Step.Action.none())));
  }

  private static Scenario badDeploy() {
    return new Scenario(
        "bad-deploy",
        "only the bad deploy of payments-2 at 0.15, rolled back at 0.80",
        List.of(
            new Step(0, "steady state", Step.Action.none()),
            badDeployStep(0.15),
            new Step(
                0.80,
                "roll back payments-2 to " + Shop.GOOD_VERSION,
                in -> in.apply("payments-2").deploy(Shop.GOOD_VERSION))));
  }

  private static Step badDeployStep(double fraction) {
    return new Step(
        fraction,
        "bad deploy: payments-2 -> " + Shop.BAD_PAYMENTS_VERSION,
        in -> in.apply("payments-2").deploy(Shop.BAD_PAYMENTS_VERSION));
  }

  private static void heal(
      java.util.function.Function<String, io.bulwark.runtime.InstanceHandle> in, GameDayChaos c) {
    in.apply("payments-2").deploy(Shop.GOOD_VERSION);
    in.apply("inventory-2").restart();
    c.chaos().clearAll();
  }
}
