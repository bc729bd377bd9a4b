package io.bulwark.runtime;

import java.util.List;

/**
 * What a {@link SystemRuntime#rollingDeploy} did.
 *
 * @param service the service
 * @param from the version the instances ran before (the first instance's)
 * @param to the version deployed
 * @param outcome whether it completed or rolled back
 * @param reason why it rolled back (the judged numbers), or {@code completed}
 * @param steps each judged step, in order
 */
public record RolloutResult(
    String service, String from, String to, Outcome outcome, String reason, List<Step> steps) {

  public RolloutResult {
    steps = List.copyOf(steps);
  }

  /** How a rollout ended. */
  public enum Outcome {
    /** Every instance runs the new version. */
    COMPLETED,
    /** The canary analysis judged the new version worse; every instance runs the old one again. */
    ROLLED_BACK,
    /** A new instance did not get ready; the moved instances were put back to the old version. */
    FAILED_TO_START
  }

  /**
   * One canary judgement: the new-version instances against the old-version ones over the same
   * window.
   *
   * @param instance the instance that had just moved
   * @param newRequests requests the new-version instances answered in the window
   * @param newBad bad answers among them
   * @param oldRequests requests the old-version instances answered in the window (or in the
   *     baseline window when none is left)
   * @param oldBad bad answers among them
   * @param newBurnRate burn rate of the new version
   * @param oldBurnRate burn rate of the old version
   * @param passed whether the new version was within the margins
   */
  public record Step(
      String instance,
      long newRequests,
      long newBad,
      long oldRequests,
      long oldBad,
      double newBurnRate,
      double oldBurnRate,
      boolean passed) {

    public double newErrorRate() {
      return newRequests == 0 ? 0 : (double) newBad / newRequests;
    }

    public double oldErrorRate() {
      return oldRequests == 0 ? 0 : (double) oldBad / oldRequests;
    }
  }
}
