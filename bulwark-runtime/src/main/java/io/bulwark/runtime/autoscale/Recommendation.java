package io.bulwark.runtime.autoscale;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link ScalingPolicy} returns: the instance count it wants, why, the numbers it used, and
 * the memory to pass to its next call.
 *
 * @param instances the instance count wanted (never negative)
 * @param reason one line naming the rule that decided
 * @param inputs the numbers used, in order (read-only)
 * @param memory the policy's declared memory after this decision
 * @param <M> the policy's memory type
 */
public record Recommendation<M>(
    int instances, String reason, Map<String, Double> inputs, M memory) {

  public Recommendation {
    if (instances < 0) {
      throw new IllegalArgumentException(
          "recommended instances must not be negative, was " + instances);
    }
    inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
  }
}
