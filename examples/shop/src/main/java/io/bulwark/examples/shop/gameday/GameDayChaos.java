package io.bulwark.examples.shop.gameday;

import io.bulwark.chaos.Chaos;
import io.bulwark.chaos.InstanceKiller;
import io.bulwark.chaos.NetworkPartitioner;
import io.bulwark.runtime.RolloutPolicy;
import io.bulwark.runtime.RolloutResult;
import java.time.Duration;
import java.util.Objects;

/**
 * What a game day's steps act through besides the instances: the chaos controller (faults with a
 * blast radius, always expiring), the runtime's instance-kill and network-partition SPIs, its
 * rolling deploy with canary analysis, and the load generator's rate dial.
 *
 * @param chaos the enabled controller; the game day's owner closes it (clearing every fault)
 * @param killer kills an instance as a crash would
 * @param partitioner cuts and heals the network between two services
 * @param rollouts the runtime's rolling deploy ({@code SystemRuntime::rollingDeploy})
 * @param load the users' rate, as a factor of the run's rate
 * @param run the run's duration, which steps scale their own durations by (a fault lasting a
 *     fraction of the run); set by the {@link GameDay} this is given to
 * @param intruder an attacker inside the network, trying to move money without the identity that
 *     may
 */
public record GameDayChaos(
    Chaos chaos,
    InstanceKiller killer,
    NetworkPartitioner partitioner,
    Rollouts rollouts,
    LoadDial load,
    Duration run,
    Intruder intruder) {
  public GameDayChaos {
    Objects.requireNonNull(intruder, "intruder");
    Objects.requireNonNull(chaos, "chaos");
    Objects.requireNonNull(killer, "killer");
    Objects.requireNonNull(partitioner, "partitioner");
    Objects.requireNonNull(rollouts, "rollouts");
    Objects.requireNonNull(load, "load");
    Objects.requireNonNull(run, "run");
  }

  /**
   * Chaos and kills only: a step that partitions, rolls out or turns the load dial fails, naming
   * what the game day was not given.
   */
  public GameDayChaos(Chaos chaos, InstanceKiller killer) {
    this(chaos, killer, NO_PARTITIONER, NO_ROLLOUTS, NO_LOAD, Duration.ZERO);
  }

  /** These levers without an intruder: a step that sends one fails, naming what is missing. */
  public GameDayChaos(
      Chaos chaos,
      InstanceKiller killer,
      NetworkPartitioner partitioner,
      Rollouts rollouts,
      LoadDial load,
      Duration run) {
    this(chaos, killer, partitioner, rollouts, load, run, NO_INTRUDER);
  }

  /** These levers for a run of {@code run}. */
  public GameDayChaos withRun(Duration run) {
    return new GameDayChaos(chaos, killer, partitioner, rollouts, load, run, intruder);
  }

  /** These levers with {@code intruder}. */
  public GameDayChaos withIntruder(Intruder intruder) {
    return new GameDayChaos(chaos, killer, partitioner, rollouts, load, run, intruder);
  }

  /**
   * An attacker with a foothold inside the network, but not the identity of the one workload that
   * may move money.
   */
  @FunctionalInterface
  public interface Intruder {
    /**
     * Tries to charge {@code service} directly, every way it can; what came of it in a line.
     *
     * @throws IllegalStateException if a charge was accepted (a breach)
     */
    String tryToCharge(String service);
  }

  /** {@code fraction} of the run, at least {@code floor}. */
  public Duration ofRun(double fraction, Duration floor) {
    Duration d = Duration.ofNanos((long) (run.toNanos() * fraction));
    return d.compareTo(floor) < 0 ? floor : d;
  }

  /** A rolling deploy with canary analysis, as {@code SystemRuntime#rollingDeploy} does it. */
  @FunctionalInterface
  public interface Rollouts {
    RolloutResult rollingDeploy(String service, String version, RolloutPolicy policy);
  }

  /** Sets the users' rate to {@code factor} × the run's rate (1: the run's own rate). */
  @FunctionalInterface
  public interface LoadDial {
    void rateFactor(double factor);
  }

  private static final NetworkPartitioner NO_PARTITIONER =
      new NetworkPartitioner() {
        @Override
        public void partition(String a, String b, Mode mode) {
          throw missing("a network partitioner");
        }

        @Override
        public void heal(String a, String b) {
          throw missing("a network partitioner");
        }

        @Override
        public void healAll() {
          throw missing("a network partitioner");
        }
      };

  private static final Rollouts NO_ROLLOUTS =
      (service, version, policy) -> {
        throw missing("the runtime's rolling deploy");
      };

  private static final Intruder NO_INTRUDER =
      service -> {
        throw missing("an intruder");
      };

  private static final LoadDial NO_LOAD =
      factor -> {
        throw missing("a load dial");
      };

  private static IllegalStateException missing(String what) {
    return new IllegalStateException("this step needs " + what + ", but the game day has none");
  }
}
