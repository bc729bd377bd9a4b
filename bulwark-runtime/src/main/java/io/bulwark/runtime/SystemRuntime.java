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

  /**
   * A runtime for {@code model} with one child JVM per instance (same class path, this JVM's java),
   * supervised: restarted with exponential backoff when it exits unexpectedly, its output captured
   * under its storage directory, and never outliving this JVM. Every service needs a factory named
   * by class ({@link ServiceSpec#builder(String, String)}). See docs/runtime.md.
   */
  static SystemRuntime processes(SystemModel model, RuntimeOptions options) {
    return new io.bulwark.runtime.internal.InProcessRuntime(model, options, true);
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

  /**
   * The URI scheme to call {@code service} with: {@code https} for a service under mutual TLS
   * ({@link ServiceSpec.Builder#mutualTls}), else {@code http}.
   */
  default String scheme(String service) {
    return "http";
  }

  /**
   * TLS that presents the runtime's own workload identity ({@code
   * spiffe://<system>/bulwark-runtime}, allowed on every route of every protected service) and
   * trusts the system's workload CA: operator access for tools and tests. Empty when no service is
   * under mutual TLS.
   */
  default java.util.Optional<javax.net.ssl.SSLContext> operatorTls() {
    return java.util.Optional.empty();
  }

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

  /**
   * Scales {@code service} to {@code instances} (at least 1). New instances get the next indexes,
   * the service's current version and zone round robin, and are registered in discovery only after
   * they are ready; removed instances (highest index first) are drained gracefully and deregistered
   * first. Blocks until done; serialized with other scale and rollout calls of the same service.
   *
   * @throws IllegalArgumentException naming the service or the bad count
   * @throws RuntimeStartException when a new instance does not get ready (the instances already
   *     added stay)
   */
  void scale(String service, int instances);

  /**
   * Deploys {@code version} to {@code service}'s instances one at a time, each gated on readiness,
   * judging each step by canary analysis ({@link RolloutPolicy}) on the runtime's clock: when the
   * new instances' error rate or burn rate is worse than the old instances' beyond the margins,
   * every moved instance goes back to the old version and the result says {@link
   * RolloutResult.Outcome#ROLLED_BACK}. Blocks until done.
   */
  RolloutResult rollingDeploy(String service, String version, RolloutPolicy policy);

  /** The most recent events (up to 1,000), oldest first. */
  List<RuntimeEvent> events();

  /**
   * The system's time-series store: every instance's requests, bad answers and latency sum, by
   * service, instance, version and zone ({@code bulwark_instance_requests_total}, {@code
   * bulwark_instance_errors_total}, {@code bulwark_instance_duration_seconds_sum}), written every
   * store step while the system runs.
   */
  io.bulwark.telemetry.store.TimeSeriesStore metrics();

  /** The system's latest metrics in Prometheus text format (what {@code GET /metrics} serves). */
  String prometheus();

  /**
   * The port of the runtime's own loopback HTTP endpoint ({@code GET /metrics} for Prometheus, and
   * the process-mode control calls), or -1 before start / when disabled.
   */
  int systemPort();

  /**
   * The evaluator of {@link RuntimeOptions#slos()} on {@link #metrics()}, run by the runtime every
   * metrics step (its {@code status()} is the SLOs' budget and firing alerts; give it to a
   * dashboard's SLO panel); empty when the options name no SLO.
   */
  java.util.Optional<io.bulwark.telemetry.slo.SloEvaluator> slos();

  /**
   * The autoscalers the runtime runs for services with an {@code autoscale:} spec ({@link
   * ServiceSpec#autoscale()}), started once the system is up and closed when it stops (empty
   * otherwise).
   */
  List<io.bulwark.runtime.autoscale.Autoscaler> autoscalers();

  /**
   * A listener to give a chaos controller of this JVM ({@code Chaos.builder().listener(...)}) so
   * that its faults reach every instance. In process the controller already covers every instance
   * (they share its JVM) and this listener does nothing. In process mode every fault started on the
   * controller is started on each ready child's chaos admin endpoint ({@code /chaos/faults}, served
   * by every child on the runtime's host) for the time it has left, cleared there when it ends, and
   * started on a child that becomes ready later (a restart, a deploy) while it is active. Its calls
   * return at once; the relaying runs on a thread of its own.
   */
  default io.bulwark.chaos.Chaos.Listener chaosRelay() {
    return new io.bulwark.chaos.Chaos.Listener() {
      @Override
      public void started(io.bulwark.chaos.ActiveFault fault) {}

      @Override
      public void ended(io.bulwark.chaos.ActiveFault fault, io.bulwark.chaos.Chaos.EndReason r) {}
    };
  }
}
