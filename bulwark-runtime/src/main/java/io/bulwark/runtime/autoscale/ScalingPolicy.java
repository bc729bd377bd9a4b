package io.bulwark.runtime.autoscale;

/**
 * An autoscaling policy: a pure decision function. {@link #decide} reads only its arguments and the
 * policy's immutable configuration — no clock, no field that changes — so the same history, instant
 * and memory give the same recommendation, and a recorded trace replays exactly.
 *
 * <p>State a policy needs across decisions beyond the history (Knative's panic mode, for one) is
 * its declared memory {@code M}: {@link #initialMemory()} before the first call, then the {@link
 * Recommendation#memory()} of the previous call. A policy without state uses {@link NoMemory}.
 *
 * <p>The caller ({@link Autoscaler}, the simulator) applies the recommendation; policies clamp it
 * to their own minimum and maximum.
 *
 * @param <M> the type of the policy's memory (immutable)
 */
public interface ScalingPolicy<M> {

  /** A short name for tables and decisions, e.g. {@code target-tracking}. */
  String name();

  /** The memory before the first decision. */
  M initialMemory();

  /**
   * Decides how many instances the service should have at {@code nowNanos}.
   *
   * @param history the samples recorded up to {@code nowNanos} (the latest is the current state)
   * @param nowNanos the decision instant on the caller's clock
   * @param memory the memory returned by the previous decision, or {@link #initialMemory()}
   * @throws IllegalArgumentException when the history is empty or ends after {@code nowNanos}
   */
  Recommendation<M> decide(History history, long nowNanos, M memory);
}
