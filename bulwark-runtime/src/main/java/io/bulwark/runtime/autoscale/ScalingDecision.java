package io.bulwark.runtime.autoscale;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One decision of an {@link Autoscaler}, kept for the dashboard and the timeline: what the policy
 * saw, what it chose and why.
 *
 * @param service the service scaled
 * @param policy the policy's {@link ScalingPolicy#name()}
 * @param atNanos when it was made, on the autoscaler's clock
 * @param atMillis the same instant on the wall clock (epoch milliseconds)
 * @param from instances before the decision
 * @param to instances chosen (equal to {@code from} when the policy held)
 * @param reason one line, e.g. {@code "panic: 6s concurrency 41.0 ≥ 2.0 × 4 instances"}
 * @param inputs the numbers the policy used, in the order it used them (read-only)
 */
public record ScalingDecision(
    String service,
    String policy,
    long atNanos,
    long atMillis,
    int from,
    int to,
    String reason,
    Map<String, Double> inputs) {

  public ScalingDecision {
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }

  /** {@code to != from}. */
  public boolean changed() {
    return to != from;
  }
}
