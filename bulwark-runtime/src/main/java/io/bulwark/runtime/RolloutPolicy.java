package io.bulwark.runtime;

import io.bulwark.core.config.Checks;
import java.time.Duration;

/**
 * How {@link SystemRuntime#rollingDeploy} judges a new version (canary analysis). After each
 * instance moves to the new version and is ready, the runtime watches it for {@link #bake()} (on
 * the runtime's clock) and compares, over that same window, the new instances' error rate and SLO
 * burn rate with the old instances'. The rollout rolls back when the new version is worse than the
 * old by more than {@link #errorRateMargin()} (absolute error rate) or {@link #burnRateMargin()}
 * (burn rate). With fewer than {@link #minRequests()} answers from the new instances the missing
 * ones count as good: the step fails only when its failures already decide it (more answers could
 * not bring it within the margins), and then at once, without waiting out the window; otherwise it
 * waits for more answers, up to {@link #maxWait()}, and passes if they do not come.
 *
 * <p>A request is bad when it answered 5xx (in process mode: when the child's telemetry counted it
 * as not successful). Burn rate = bad ratio / (1 - {@link #objective()}): the availability SLO's
 * burn rate.
 */
public final class RolloutPolicy {
  private final Duration bake;
  private final int minRequests;
  private final double errorRateMargin;
  private final double burnRateMargin;
  private final double objective;
  private final Duration maxWait;

  private RolloutPolicy(Builder b) {
    this.bake = b.bake;
    this.minRequests = b.minRequests;
    this.errorRateMargin = b.errorRateMargin;
    this.burnRateMargin = b.burnRateMargin;
    this.objective = b.objective;
    this.maxWait = b.maxWait;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: bake 30s, 20 requests, margins 0.05 error rate and 2.0 burn rate, SLO 99%. */
  public static RolloutPolicy defaults() {
    return builder().build();
  }

  /** How long each new instance is watched before the next one moves. */
  public Duration bake() {
    return bake;
  }

  /**
   * Requests the new instances must answer before a window can pass; with fewer, the missing
   * answers are counted as good, so a handful of failures can still fail the step.
   */
  public int minRequests() {
    return minRequests;
  }

  public double errorRateMargin() {
    return errorRateMargin;
  }

  public double burnRateMargin() {
    return burnRateMargin;
  }

  /** The availability objective the burn rate is measured against, in (0, 1). */
  public double objective() {
    return objective;
  }

  /**
   * How long a step waits, at most, on the runtime's clock for {@link #minRequests()} before it
   * judges with what it has, the missing answers counted as good (a new version nobody calls cannot
   * be judged worse).
   */
  public Duration maxWait() {
    return maxWait;
  }

  /** The burn rate of a bad ratio under this policy's objective. */
  public double burnRate(double badRatio) {
    return badRatio / (1 - objective);
  }

  @Override
  public String toString() {
    return "bake "
        + bake
        + ", min "
        + minRequests
        + " requests, margins error "
        + errorRateMargin
        + " burn "
        + burnRateMargin
        + ", objective "
        + objective;
  }

  /** Builds a {@link RolloutPolicy}; every setter names a bad value. */
  public static final class Builder {
    private Duration bake = Duration.ofSeconds(30);
    private int minRequests = 20;
    private double errorRateMargin = 0.05;
    private double burnRateMargin = 2.0;
    private double objective = 0.99;
    private Duration maxWait = Duration.ofMinutes(5);

    private Builder() {}

    public Builder bake(Duration bake) {
      this.bake = Checks.positive("bake", bake);
      return this;
    }

    public Builder minRequests(int minRequests) {
      this.minRequests = Checks.inRange("minRequests", minRequests, 1, Integer.MAX_VALUE);
      return this;
    }

    public Builder errorRateMargin(double margin) {
      this.errorRateMargin = fraction("errorRateMargin", margin, 0, 1);
      return this;
    }

    public Builder burnRateMargin(double margin) {
      this.burnRateMargin = fraction("burnRateMargin", margin, 0, Double.MAX_VALUE);
      return this;
    }

    public Builder objective(double objective) {
      if (!(objective > 0 && objective < 1)) {
        throw new IllegalArgumentException("objective must be in (0, 1), got " + objective);
      }
      this.objective = objective;
      return this;
    }

    public Builder maxWait(Duration maxWait) {
      this.maxWait = Checks.positive("maxWait", maxWait);
      return this;
    }

    public RolloutPolicy build() {
      if (maxWait.compareTo(bake) < 0) {
        throw new IllegalArgumentException(
            "maxWait " + maxWait + " must be at least the bake " + bake);
      }
      return new RolloutPolicy(this);
    }

    private static double fraction(String name, double value, double min, double max) {
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], got " + value);
      }
      return value;
    }
  }
}
