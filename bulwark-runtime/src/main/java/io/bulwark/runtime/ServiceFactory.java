package io.bulwark.runtime;

/**
 * Builds one instance of a service. The factory adds its routes to {@link InstanceContext#server()}
 * (already configured with the instance's host, port, telemetry and the runtime's listener), opens
 * its stores under {@link InstanceContext#storage()} or {@link InstanceContext#serviceStorage()},
 * and returns what must be closed when the instance stops. The runtime builds and starts the
 * server, waits for readiness and registers the instance.
 *
 * <p>A factory is called once per start of an instance (restart and deploy call it again, with the
 * same storage and, for deploy, the new version). A factory that throws fails the start; the
 * runtime closes what the instance opened and reports the instance and the cause.
 */
@FunctionalInterface
public interface ServiceFactory {
  ServiceInstance create(InstanceContext context) throws Exception;
}
