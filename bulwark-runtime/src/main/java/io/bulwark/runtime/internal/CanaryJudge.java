package io.bulwark.runtime.internal;

import io.bulwark.runtime.RolloutPolicy;
import io.bulwark.runtime.RolloutResult.Step;

/**
 * The canary judgement of a rolling deploy, a pure function: passed unless the new side answered at
 * least {@code minRequests} and its error rate exceeds the old side's by more than the error margin
 * or its burn rate by more than the burn margin. Public for tests in other packages; not API.
 */
public final class CanaryJudge {
  private CanaryJudge() {}

  public static Step judge(
      RolloutPolicy policy, String instance, long newReq, long newBad, long oldReq, long oldBad) {
    double newRate = newReq == 0 ? 0 : (double) newBad / newReq;
    double oldRate = oldReq == 0 ? 0 : (double) oldBad / oldReq;
    double newBurn = policy.burnRate(newRate);
    double oldBurn = policy.burnRate(oldRate);
    boolean judged = newReq >= policy.minRequests();
    boolean worse =
        newRate - oldRate > policy.errorRateMargin() || newBurn - oldBurn > policy.burnRateMargin();
    return new Step(instance, newReq, newBad, oldReq, oldBad, newBurn, oldBurn, !(judged && worse));
  }
}
