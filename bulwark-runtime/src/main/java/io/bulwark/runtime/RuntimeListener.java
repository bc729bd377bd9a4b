package io.bulwark.runtime;

import java.time.Duration;

/**
 * Lifecycle events of a system's instances, for progress output and dashboards. Called on the
 * thread doing the operation; must be fast and must not throw (a listener that throws is ignored
 * for that event).
 */
public interface RuntimeListener {
  default void onStarting(InstanceHandle instance) {}

  /** Ready and registered, {@code took} after its start began. */
  default void onReady(InstanceHandle instance, int port, Duration took) {}

  default void onStopped(InstanceHandle instance) {}

  default void onKilled(InstanceHandle instance) {}

  /** A deploy of {@code to} replaced {@code from} (reported once the new version is ready). */
  default void onDeployed(InstanceHandle instance, String from, String to) {}

  /** The instance's start failed with {@code cause}. */
  default void onFailed(InstanceHandle instance, Throwable cause) {}

  /**
   * Every event of the system, including those above, as one feed (for timelines and dashboards).
   */
  default void onEvent(RuntimeEvent event) {}

  /**
   * A decision of an autoscaler the runtime runs for a service with an {@code autoscale:} spec
   * (every decision, also those that keep the count; called on the autoscaler's thread).
   */
  default void onDecision(io.bulwark.runtime.autoscale.ScalingDecision decision) {}
}
