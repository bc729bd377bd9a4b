package io.bulwark.runtime;

import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import io.bulwark.http.BulwarkServer;
import io.bulwark.http.discovery.ServiceDiscovery;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.telemetry.BulwarkTelemetry;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the runtime gives one instance while its {@link ServiceFactory} builds it. Valid for the
 * life of that instance (one start); a restart or deploy gets a new context.
 */
public interface InstanceContext {

  /** The service's name, e.g. {@code payments}. */
  String service();

  /** The instance id, unique in the system: {@code <service>-<index>}, e.g. {@code payments-2}. */
  String instanceId();

  /** 1-based index of the instance within its service. */
  int index();

  /** The version this instance runs (the service's, or the one given to a deploy). */
  String version();

  /** This instance's own storage directory (created, writable; kept across restarts). */
  Path storage();

  /**
   * The service's shared storage directory: the database every instance of the service uses, as
   * replicas behind one database would (created, writable; kept across restarts).
   */
  Path serviceStorage();

  /** The service's settings from its {@link ServiceSpec}. */
  Map<String, String> settings();

  /** A setting, or {@code defaultValue} when absent. */
  default String setting(String key, String defaultValue) {
    return settings().getOrDefault(key, defaultValue);
  }

  /** The system's discovery (the embedded registry): where clients find other services. */
  ServiceDiscovery discovery();

  Clock clock();

  Scheduler scheduler();

  /** This instance's telemetry (service name = the service); installed on {@link #server()}. */
  BulwarkTelemetry telemetry();

  /**
   * The listener to give the instance's resilience registry and HTTP clients, so the runtime sees
   * its circuit-breaker transitions ({@link SystemRuntime#breakers()}).
   */
  ResilienceListener resilienceListener();

  /**
   * The instance's server builder, already configured (loopback host, its port, telemetry with
   * {@code GET /metrics}, the runtime's request listener, clock and scheduler). The factory adds
   * routes and may set a limiter, admission or readiness check; the runtime builds and starts it.
   * Do not call its {@code listener(...)} or {@code config(...)}: they would replace the runtime's
   * request listener (the instance would drop out of {@link SystemRuntime#takeStats()}) and the
   * host, port and drain budget.
   */
  BulwarkServer.Builder server();

  /**
   * {@code config} for calls to the system's service {@code target}: when {@code target} is served
   * under mutual TLS ({@link ServiceSpec.Builder#mutualTls}), a copy that presents this instance's
   * workload certificate, trusts the system's workload CA and requires the target's identity;
   * otherwise {@code config} itself.
   */
  default io.bulwark.http.client.ClientConfig withIdentity(
      String target, io.bulwark.http.client.ClientConfig config) {
    return config;
  }

  /**
   * Runs {@code loop} on a virtual thread named {@code <instanceId>-<name>}. At a graceful stop,
   * {@link #stopping()} turns true after the server drained and the runtime waits for the thread to
   * end; at a kill the thread is interrupted and not waited for.
   */
  Thread background(String name, Runnable loop);

  /** True once the instance is stopping or killed: background loops should end. */
  boolean stopping();

  /** The system's seed, for services whose behaviour is random (repeatable runs). */
  long seed();
}
