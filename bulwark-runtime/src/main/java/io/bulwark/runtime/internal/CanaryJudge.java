package io.bulwark.runtime.internal;

import io.bulwark.runtime.RolloutPolicy;
import io.bulwark.runtime.RolloutResult.Step;

/**
 * The canary judgement of a rolling deploy, a pure function: failed when the new side's error rate
 * exceeds the old side's by more than the error margin or its burn rate by more than the burn
 * margin. A new side that answered fewer than {@code minRequests} is judged as if the missing
 * answers were all good (its bad answers over {@code minRequests}): it fails only when no further
 * good answer could bring it within the margins, else it passes (too little is known to call it
 * worse). So a canary starved of traffic (a breaker in front of it open, few callers) that failed
 * most of what it did answer is still rolled back. Public for tests in other packages; not API.
 */
public final class CanaryJudge {
  private CanaryJudge() {}

  public static Step judge(
      RolloutPolicy policy, String instance, long newReq, long newBad, long oldReq, long oldBad) {
    double newRate = newReq == 0 ? 0 : (double) newBad / newReq;
    double oldRate = oldReq == 0 ? 0 : (double) oldBad / oldReq;
    double newBurn = policy.burnRate(newRate);
    double oldBurn = policy.burnRate(oldRate);
    return new Step(
        instance,
        newReq,
        newBad,
        oldReq,
        oldBad,
        newBurn,
        oldBurn,
        !decidedWorse(policy, newReq, newBad, oldReq, oldBad));
  }

  /**
   * Whether the new side is worse beyond a margin, counting answers it has not given yet (up to
   * {@code minRequests}) as good: true means more answers cannot change the verdict.
   */
  public static boolean decidedWorse(
      RolloutPolicy policy, long newReq, long newBad, long oldReq, long oldBad) {
    if (newBad == 0) {
      return false;
    }
    double least = (double) newBad / Math.max(newReq, policy.minRequests());
    double oldRate = oldReq == 0 ? 0 : (double) oldBad / oldReq;
    return least - oldRate > policy.errorRateMargin()
        || policy.burnRate(least) - policy.burnRate(oldRate) > policy.burnRateMargin();
  }
}
