package io.bulwark.runtime;

import io.bulwark.chaos.InstanceKiller;
import io.bulwark.chaos.NetworkPartitioner;
import io.bulwark.core.time.Clock;
import io.bulwark.http.discovery.Endpoint;
import io.bulwark.http.discovery.ServiceDiscovery;
import java.util.List;

/**
 * Runs a {@link SystemModel}. In-process mode ({@link #inProcess}): every instance is its own
 * Bulwark HTTP server on a loopback port, with its own storage directory and instance id, inside
 * this JVM, registered in an embedded discovery registry with a lease.
 *
 * <p>{@link #start()} starts services in dependency order; each instance must answer {@code
 * /health/ready} within the readiness timeout before the services that depend on it start. A failed
 * start stops everything already started (nothing is left running: no port, thread or file handle)
 * and throws {@link RuntimeStartException} naming the instance and the cause. {@link #stop()} stops
 * services in reverse order. Both are idempotent; {@link #close()} is {@link #stop()}, safe from a
 * JVM shutdown hook. A runtime runs once: {@link #start()} after {@link #stop()} (or after a failed
 * start) throws {@link IllegalStateException}. See docs/runtime.md.
 */
public interface SystemRuntime extends AutoCloseable {

  /** A runtime for {@code model} in this JVM; nothing starts before {@link #start()}. */
  static SystemRuntime inProcess(SystemModel model, RuntimeOptions options) {
    return new io.bulwark.runtime.internal.InProcessRuntime(model, options);
  }

  SystemModel model();

  /** Registers a listener for lifecycle events (before {@link #start()} to see every start). */
  void addListener(RuntimeListener listener);

  /**
   * Starts every instance in model order, each after the services it depends on are ready.
   *
   * @throws RuntimeStartException naming the instance that failed (everything started is stopped),
   *     or {@code <id>: start cancelled: system <name> is stopping} when {@link #stop()} was called
   *     meanwhile
   * @throws IllegalStateException after a stop: a runtime runs once
   */
  void start();

  /**
   * Stops the system; idempotent, safe from a shutdown hook. Marks the system stopping before
   * anything else (no instance start can begin or turn ready afterwards; a racing deploy or restart
   * throws {@link IllegalStateException}), interrupts a {@link #start()} in progress on another
   * thread, stops the instances in reverse start order, waits for the threads of killed instances
   * (up to the drain budget each) and closes the shared parts.
   */
  void stop();

  @Override
  default void close() {
    stop();
  }

  /** Every instance, in start order. */
  List<InstanceHandle> instances();

  /** The instances of {@code service}; throws naming the service when there is none. */
  List<InstanceHandle> instances(String service);

  /** The instance with id {@code id} ({@code <service>-<index>}); throws naming it if unknown. */
  InstanceHandle instance(String id);

  /** The system's discovery registry. */
  ServiceDiscovery discovery();

  /** The endpoints of {@code service}'s instances that are ready now. */
  List<Endpoint> readyEndpoints(String service);

  Clock clock();

  /**
   * Per service, what its instances served since the previous call (or since start): one entry per
   * service of the model, in start order. Meant for one consumer (a live view); a second caller
   * would split the intervals.
   */
  List<ServiceStats> takeStats();

  /**
   * Kills instances for chaos experiments: {@code kill(service, instanceId)} is {@link
   * InstanceHandle#kill()} of that instance (throws naming it when unknown or of another service).
   */
  InstanceKiller instanceKiller();

  /**
   * Partitions services from each other, both directions, until healed (or the runtime stops).
   * In-process: each instance's {@link InstanceContext#discovery()} is a view through the
   * partitions, so its clients of a partitioned service see no endpoint ({@code FAIL}: calls fail
   * at once) or a loopback tarpit that never answers ({@code HANG}: calls time out); a heal gives
   * them the real endpoints back at once.
   */
  NetworkPartitioner partitioner();

  /** Every circuit breaker that any instance reported, with its last transition. */
  List<BreakerView> breakers();
}
