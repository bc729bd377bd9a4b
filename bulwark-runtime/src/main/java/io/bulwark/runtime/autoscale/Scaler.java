package io.bulwark.runtime.autoscale;

/**
 * What an {@link Autoscaler} acts on: the instance counts of a service and a way to change them.
 * {@link #scale} may take long (instances start with readiness gating); the autoscaler calls it on
 * a thread of its own, one call at a time per autoscaler.
 */
public interface Scaler {

  /** Instances of {@code service}, ready or starting. */
  int instances(String service);

  /** Instances of {@code service} that serve. */
  int readyInstances(String service);

  /** Makes {@code service} have {@code instances} instances; returns when done. */
  void scale(String service, int instances);
}
