package io.bulwark.runtime;

import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.RedSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One instance of a running system, for operators and game days. Operations are synchronous and
 * serialized per instance; each is reported to the {@link RuntimeListener}s.
 */
public interface InstanceHandle {

  /** {@code <service>-<index>}. */
  String id();

  String service();

  int index();

  /** The instance's zone label (also in its discovery metadata, {@code zone}). */
  String zone();

  /**
   * The version of its last start that got ready (the spec's version before the first): a deploy
   * that fails does not change it.
   */
  String version();

  InstanceState state();

  /** The bound port while {@link InstanceState#READY}, else -1. */
  int port();

  Path storage();

  /**
   * Graceful stop: deregister, drain, stop background loops, close. No-op unless {@link
   * InstanceState#READY}.
   */
  void stop();

  /**
   * Crash: the server's sockets close without drain, its handler threads and background loops are
   * interrupted, its resources are released without flushing. Its discovery lease is <b>not</b>
   * withdrawn: callers find it dead until the lease expires, as after a real crash. No-op unless
   * {@link InstanceState#READY}.
   */
  void kill();

  /**
   * Starts a stopped, killed or failed instance again with {@link #version()} and the same storage
   * (a new port when the system uses ephemeral ports): after a failed deploy, the last version that
   * got ready. A running instance is stopped gracefully first. Waits first for the threads of a
   * killed incarnation to end (bounded by the drain budget).
   *
   * @throws RuntimeStartException when the start fails (the instance is then {@link
   *     InstanceState#FAILED})
   */
  void restart();

  /**
   * Deploys {@code version}: stops the instance gracefully (if running) and starts it again with
   * that version and the same storage; {@link RuntimeListener#onDeployed} once it is ready.
   *
   * @throws RuntimeStartException when the new version does not start (the instance is then {@link
   *     InstanceState#FAILED} and {@link #version()} stays the last version that got ready)
   */
  void deploy(String version);

  /**
   * The running incarnation's telemetry when it runs in this JVM (its RED series per route and per
   * dependency, for live views such as the dashboard); empty while it is not running, or when it
   * runs in another process.
   */
  default Optional<BulwarkTelemetry> telemetry() {
    return Optional.empty();
  }

  /**
   * What the running incarnation served so far, per route ({@code kind} {@code endpoint}) or per
   * dependency it called ({@code dependency}): cumulative since that incarnation started. In
   * process it is read from {@link #telemetry()}; in process mode it is the child's latest scrape
   * (one metrics step old at most). Empty while the instance is not ready.
   */
  default List<RedSnapshot> redSnapshots(String kind) {
    return telemetry().map(t -> t.redSnapshots(kind)).orElse(List.of());
  }

  /**
   * A number that changes with every start of this instance (restart, deploy, supervised restart),
   * so that a reader of {@link #redSnapshots} knows when the counts began again at zero.
   */
  default long incarnation() {
    return 0;
  }

  /**
   * Requests this instance has answered since the runtime started it, as the runtime counts them
   * for canary analysis and autoscaling (every answer, bad ones included; across restarts and
   * deploys). A request counts once its exchange has ended, just after its answer was written, so a
   * caller that holds an answer may read this a moment before it includes that answer.
   */
  default long answered() {
    return 0;
  }
}
