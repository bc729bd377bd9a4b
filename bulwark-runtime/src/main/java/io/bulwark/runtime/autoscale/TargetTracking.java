package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Policies.num;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reactive target tracking in the manner of Kubernetes' horizontal pod autoscaler: keep a metric
 * per instance at a target.
 *
 * <ul>
 *   <li>raw recommendation of a sample: {@code ceil(instances × (metric / instances) / target)}, or
 *       the sample's own count when {@code |ratio − 1| ≤ tolerance} (no change for small
 *       deviations);
 *   <li>scale-out follows the latest sample's recommendation at once;
 *   <li>scale-in is stabilised: the count goes down only to the highest raw recommendation of the
 *       samples in the last {@link #scaleDownStabilisation()} (so a dip shorter than the window
 *       does not remove instances);
 *   <li>one decision changes the count by at most {@link #maxStepUp()} / {@link #maxStepDown()},
 *       and the result stays within {@code [minInstances, maxInstances]}.
 * </ul>
 *
 * <p>Everything comes from the history: the policy keeps no memory ({@link NoMemory}).
 */
public final class TargetTracking implements ScalingPolicy<NoMemory> {
  private final Metric metric;
  private final double targetPerInstance;
  private final double tolerance;
  private final Duration scaleDownStabilisation;
  private final int maxStepUp;
  private final int maxStepDown;
  private final int minInstances;
  private final int maxInstances;

  private TargetTracking(Builder b) {
    this.metric = b.metric;
    this.targetPerInstance = b.targetPerInstance;
    this.tolerance = b.tolerance;
    this.scaleDownStabilisation = b.scaleDownStabilisation;
    this.maxStepUp = b.maxStepUp;
    this.maxStepDown = b.maxStepDown;
    this.minInstances = b.minInstances;
    this.maxInstances = b.maxInstances;
  }

  /** A builder tracking {@code metric} at {@code targetPerInstance} per instance. */
  public static Builder builder(Metric metric, double targetPerInstance) {
    return new Builder(metric, targetPerInstance);
  }

  @Override
  public String name() {
    return "target-tracking";
  }

  @Override
  public NoMemory initialMemory() {
    return NoMemory.NONE;
  }

  @Override
  public Recommendation<NoMemory> decide(History history, long nowNanos, NoMemory memory) {
    history.requireDecidableAt(nowNanos);
    LoadSample latest = history.latest();
    int current = latest.instances();
    double load = metric.of(latest);
    Map<String, Double> in = new LinkedHashMap<>();
    in.put("instances", (double) current);
    in.put(metric.name().toLowerCase(java.util.Locale.ROOT), load);
    in.put("target_per_instance", targetPerInstance);
    int raw = raw(latest);
    in.put("raw", (double) raw);
    String reason;
    int wanted;
    if (raw > current) {
      wanted = Math.min(raw, satAdd(current, maxStepUp));
      reason =
          "out: "
              + metric.name().toLowerCase(java.util.Locale.ROOT)
              + " "
              + num(load)
              + " needs "
              + raw
              + " at "
              + num(targetPerInstance)
              + " per instance"
              + (wanted < raw ? ", limited to +" + maxStepUp : "");
    } else if (raw < current) {
      int stable = stabilised(history, nowNanos);
      in.put("stabilised", (double) stable);
      if (stable >= current) {
        wanted = current;
        reason =
            "hold: scale-in to "
                + raw
                + " stabilised (highest recommendation in the last "
                + scaleDownStabilisation.toSeconds()
                + "s is "
                + stable
                + ")";
      } else {
        wanted = Math.max(stable, current - maxStepDown);
        reason =
            "in: highest recommendation in the last "
                + scaleDownStabilisation.toSeconds()
                + "s is "
                + stable
                + (wanted > stable ? ", limited to -" + maxStepDown : "");
      }
    } else {
      wanted = current;
      reason = "hold: " + num(ratio(latest)) + " of target, within tolerance " + num(tolerance);
    }
    int result = Policies.clamp(wanted, minInstances, maxInstances);
    if (result != wanted) {
      reason += "; clamped to [" + minInstances + ", " + maxInstances + "]";
    }
    return new Recommendation<>(result, reason, in, NoMemory.NONE);
  }

  /** Load per instance over target ({@code Infinity} with load and no instance). */
  private double ratio(LoadSample s) {
    double load = metric.of(s);
    if (s.instances() == 0) {
      return load > 0 ? Double.POSITIVE_INFINITY : 1;
    }
    return load / s.instances() / targetPerInstance;
  }

  /** The raw recommendation for one sample, before stabilisation, steps and bounds. */
  int raw(LoadSample s) {
    double ratio = ratio(s);
    if (Math.abs(ratio - 1) <= tolerance + 1e-9) {
      return s.instances();
    }
    return Policies.instancesFor(metric.of(s), targetPerInstance);
  }

  private int stabilised(History history, long nowNanos) {
    History window = history.window(nowNanos - scaleDownStabilisation.toNanos(), nowNanos);
    int best = raw(history.latest());
    for (int i = 0; i < window.size(); i++) {
      best = Math.max(best, raw(window.get(i)));
    }
    return best;
  }

  private static int satAdd(int a, int b) {
    long sum = (long) a + b;
    return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
  }

  public Metric metric() {
    return metric;
  }

  public double targetPerInstance() {
    return targetPerInstance;
  }

  public double tolerance() {
    return tolerance;
  }

  public Duration scaleDownStabilisation() {
    return scaleDownStabilisation;
  }

  public int maxStepUp() {
    return maxStepUp;
  }

  public int maxStepDown() {
    return maxStepDown;
  }

  public int minInstances() {
    return minInstances;
  }

  public int maxInstances() {
    return maxInstances;
  }

  @Override
  public String toString() {
    return "TargetTracking["
        + metric
        + " "
        + targetPerInstance
        + "/instance, tolerance "
        + tolerance
        + ", stabilisation "
        + scaleDownStabilisation
        + ", step +"
        + maxStepUp
        + "/-"
        + maxStepDown
        + ", instances "
        + minInstances
        + ".."
        + maxInstances
        + "]";
  }

  /** Builds a {@link TargetTracking}; each setter validates and names the bad value. */
  public static final class Builder {
    private final Metric metric;
    private final double targetPerInstance;
    private double tolerance = 0.1;
    private Duration scaleDownStabilisation = Duration.ofMinutes(5);
    private int maxStepUp = 1000;
    private int maxStepDown = 1000;
    private int minInstances = 1;
    private int maxInstances = 100;

    private Builder(Metric metric, double targetPerInstance) {
      this.metric = Checks.notNull("targetTracking.metric", metric);
      this.targetPerInstance =
          Checks.positive("targetTracking.targetPerInstance", targetPerInstance);
    }

    /** Relative deviation from the target that changes nothing (default 0.1). */
    public Builder tolerance(double tolerance) {
      this.tolerance = Checks.inRange("targetTracking.tolerance", tolerance, 0.0, 0.99);
      return this;
    }

    /** How far back scale-in looks for a higher recommendation (default 5 min; zero: none). */
    public Builder scaleDownStabilisation(Duration window) {
      this.scaleDownStabilisation =
          Checks.notNegative("targetTracking.scaleDownStabilisation", window);
      return this;
    }

    /** Most instances one decision adds (default 1000). */
    public Builder maxStepUp(int maxStepUp) {
      this.maxStepUp = Checks.positive("targetTracking.maxStepUp", maxStepUp);
      return this;
    }

    /** Most instances one decision removes (default 1000). */
    public Builder maxStepDown(int maxStepDown) {
      this.maxStepDown = Checks.positive("targetTracking.maxStepDown", maxStepDown);
      return this;
    }

    /** Fewest instances (default 1; at least 1: target tracking cannot start from zero). */
    public Builder minInstances(int minInstances) {
      this.minInstances = Checks.positive("targetTracking.minInstances", minInstances);
      return this;
    }

    /** Most instances (default 100). */
    public Builder maxInstances(int maxInstances) {
      this.maxInstances = Checks.positive("targetTracking.maxInstances", maxInstances);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalArgumentException when maxInstances is below minInstances
     */
    public TargetTracking build() {
      Policies.checkBounds("targetTracking", minInstances, maxInstances);
      return new TargetTracking(this);
    }
  }
}
