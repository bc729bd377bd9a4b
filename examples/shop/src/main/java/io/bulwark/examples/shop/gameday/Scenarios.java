package io.bulwark.examples.shop.gameday;

import io.bulwark.chaos.BlastRadius;
import io.bulwark.chaos.Fault;
import io.bulwark.chaos.LatencyDistribution;
import io.bulwark.chaos.NetworkPartitioner;
import io.bulwark.core.fault.FaultPointKind;
import io.bulwark.examples.shop.Shop;
import io.bulwark.runtime.InstanceHandle;
import io.bulwark.runtime.RolloutPolicy;
import io.bulwark.runtime.RolloutResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The game days the demo knows. {@code game-day} (the default), each step at a fraction of the run:
 *
 * <ol>
 *   <li>0.00 steady state;
 *   <li>0.05 a bad deploy: the runtime's rolling deploy of payments to {@link
 *       Shop#BAD_PAYMENTS_VERSION}, gated on readiness and judged by canary analysis ({@link
 *       #badDeployPolicy}): the canary ({@code payments-1}, the first instance moved) fails half
 *       its calls, so the runtime rolls it back on its own (the step's outcome is its verdict);
 *   <li>0.15 an intruder inside the network tries to charge payments directly, without the checkout
 *       saga's identity: over plain HTTP, and over TLS with a certificate for {@code
 *       spiffe://shop/orders} from a CA of its own. Payments must refuse both (mutual TLS); a
 *       charge that got through fails the run;
 *   <li>0.25 a slow inventory shard: {@value #SLOW_SHARD_MILLIS} ms added to every request {@code
 *       inventory-3} serves (a chaos latency fault at that instance's server point, for 0.10 of the
 *       run), more than the inventory client's 1 s timeout;
 *   <li>0.40 {@code inventory-2} killed (the runtime's instance-kill SPI);
 *   <li>0.48 a traffic spike: the users' rate doubled until 0.60 (recommendations autoscale out,
 *       and back in after it);
 *   <li>0.62 the link between the web BFF and recommendations cut (the runtime's partition SPI,
 *       calls hang as if packets were dropped), healed at 0.72;
 *   <li>0.80 heal: {@code inventory-2} restarted, every fault and partition cleared.
 * </ol>
 */
public final class Scenarios {
  /** The default scenario's name. */
  public static final String DEFAULT = "game-day";

  /** The latency the slow inventory shard adds to each request it serves. */
  public static final long SLOW_SHARD_MILLIS = 1_200;

  /** The inventory instance made slow. */
  public static final String SLOW_SHARD = "inventory-3";

  /** The link cut: the web BFF's calls to recommendations (both directions). */
  public static final String LINK_A = "web-bff";

  public static final String LINK_B = "recommendations";

  /** The users' rate during the spike, as a factor of the run's rate. */
  public static final double SPIKE_FACTOR = 2.0;

  private Scenarios() {}

  /** Every scenario, the default first. */
  public static List<Scenario> all() {
    return List.of(gameDay(), steady(), badDeploy(), recommendationsDown());
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

  /**
   * The canary analysis of the bad deploy for a run of {@code run}: each moved instance baked for 5
   * % of the run (at least 1 s), judged once it answered 10 requests (waiting up to 4 bakes for
   * them), rolled back when its error rate is 5 points above the old instances' or its burn rate
   * (99 % objective) 2 above theirs. With fewer than 10 answers the missing ones count as good, so
   * one failure in a window already rolls the canary back: the callers' endpoint breakers starve a
   * failing canary of calls, and it must not pass for want of answers.
   */
  public static RolloutPolicy badDeployPolicy(GameDayChaos c) {
    Duration bake = c.ofRun(0.05, Duration.ofSeconds(1));
    return RolloutPolicy.builder()
        .bake(bake)
        .minRequests(10)
        .errorRateMargin(0.05)
        .burnRateMargin(2.0)
        .objective(0.99)
        .maxWait(bake.multipliedBy(4))
        .build();
  }

  private static Scenario gameDay() {
    return new Scenario(
        DEFAULT,
        "steady; bad payments deploy rolled back by canary analysis; an intruder refused by"
            + " payments; slow inventory shard; inventory-2 killed; traffic spike;"
            + " web-bff/recommendations link cut; healed",
        List.of(
            new Step(0, "steady state", Step.Action.none()),
            badDeployStep(0.05),
            new Step(
                0.15,
                "intruder: charge payments directly, without the checkout saga's identity",
                Step.Action.chaosWithOutcome((in, c) -> c.intruder().tryToCharge("payments")),
                true),
            new Step(
                0.25,
                "chaos: slow inventory shard (+" + SLOW_SHARD_MILLIS + " ms at " + SLOW_SHARD + ")",
                Step.Action.chaos(Scenarios::slowShard)),
            new Step(
                0.40,
                "chaos: kill inventory-2 (the runtime's instance-kill SPI)",
                Step.Action.chaos((in, c) -> c.killer().kill("inventory", "inventory-2"))),
            new Step(
                0.48,
                String.format(Locale.ROOT, "traffic spike: users x%.0f", SPIKE_FACTOR),
                Step.Action.chaos((in, c) -> c.load().rateFactor(SPIKE_FACTOR))),
            new Step(
                0.60,
                "traffic spike over: users x1",
                Step.Action.chaos((in, c) -> c.load().rateFactor(1))),
            new Step(
                0.62,
                "chaos: cut the link "
                    + LINK_A
                    + " <-> "
                    + LINK_B
                    + " (the runtime's partition SPI)",
                Step.Action.chaos(
                    (in, c) ->
                        c.partitioner().partition(LINK_A, LINK_B, NetworkPartitioner.Mode.HANG))),
            new Step(
                0.72,
                "heal the link " + LINK_A + " <-> " + LINK_B,
                Step.Action.chaos((in, c) -> c.partitioner().heal(LINK_A, LINK_B))),
            new Step(
                0.80,
                "heal: restart inventory-2, clear the chaos faults and partitions",
                Step.Action.chaosWithOutcome(Scenarios::heal))));
  }

  /**
   * {@value #SLOW_SHARD_MILLIS} ms more on every request {@link #SLOW_SHARD} serves, for 0.10 of
   * the run (at least 2 s): the chaos latency fault at that instance's HTTP server point.
   */
  private static void slowShard(Function<String, InstanceHandle> in, GameDayChaos c) {
    c.chaos()
        .start(
            new Fault.Latency(LatencyDistribution.fixed(Duration.ofMillis(SLOW_SHARD_MILLIS))),
            BlastRadius.builder()
                .points(FaultPointKind.HTTP_SERVER)
                .service("inventory")
                .instance(SLOW_SHARD)
                .build(),
            c.ofRun(0.10, Duration.ofSeconds(2)));
  }

  /**
   * Every call to recommendations answers 503 (a fault at the callers' HTTP client points), until
   * cleared or, at the latest, the longest duration chaos allows.
   */
  private static void recommendationsDown(Function<String, InstanceHandle> in, GameDayChaos c) {
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
        "only the bad deploy of payments at 0.15, rolled back by the runtime's canary analysis",
        List.of(new Step(0, "steady state", Step.Action.none()), badDeployStep(0.15)));
  }

  private static Scenario recommendationsDown() {
    return new Scenario(
        "recommendations-down",
        "recommendations down (503 on every call) at 0.20, cleared at 0.80",
        List.of(
            new Step(0, "steady state", Step.Action.none()),
            new Step(
                0.20,
                "chaos: recommendations down (http-error 503 on every call to recommendations)",
                Step.Action.chaos(Scenarios::recommendationsDown)),
            new Step(
                0.80,
                "heal: clear the chaos faults",
                Step.Action.chaos((in, c) -> c.chaos().clearAll()))));
  }

  private static Step badDeployStep(double fraction) {
    return new Step(
        fraction,
        "bad deploy: rolling deploy of payments -> "
            + Shop.BAD_PAYMENTS_VERSION
            + " with canary analysis",
        Step.Action.chaosWithOutcome(Scenarios::badDeploy));
  }

  private static String badDeploy(Function<String, InstanceHandle> in, GameDayChaos c) {
    RolloutResult r =
        c.rollouts().rollingDeploy("payments", Shop.BAD_PAYMENTS_VERSION, badDeployPolicy(c));
    return switch (r.outcome()) {
      case ROLLED_BACK -> "rolled back by the runtime: " + r.reason();
      case FAILED_TO_START -> "failed to start, rolled back: " + r.reason();
      case COMPLETED -> "NOT rolled back: the canary analysis passed " + r.to();
    };
  }

  /**
   * Restarts inventory-2, clears every chaos fault and partition, sets the users back to the run's
   * rate; and puts any payments instance still on the bad version back on the good one (only when
   * the rollout did not roll it back, which the outcome then says).
   */
  private static String heal(Function<String, InstanceHandle> in, GameDayChaos c) {
    in.apply("inventory-2").restart();
    c.chaos().clearAll();
    c.partitioner().healAll();
    c.load().rateFactor(1);
    List<String> redeployed = new ArrayList<>();
    for (String id : List.of("payments-1", "payments-2")) {
      InstanceHandle payments = in.apply(id);
      if (payments.version().equals(Shop.BAD_PAYMENTS_VERSION)) {
        payments.deploy(Shop.GOOD_VERSION);
        redeployed.add(id);
      }
    }
    return redeployed.isEmpty()
        ? ""
        : "still on the bad version, redeployed by hand: " + String.join(", ", redeployed);
  }
}
