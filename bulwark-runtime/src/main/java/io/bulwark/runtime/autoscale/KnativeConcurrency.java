package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Policies.num;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Concurrency scaling in the manner of Knative's pod autoscaler (KPA): keep requests in flight per
 * instance at a target, over two windows.
 *
 * <ul>
 *   <li>stable: {@code ceil(mean concurrency over the stable window (60 s) / target)};
 *   <li>panic: the same over the panic window (6 s). When the panic count reaches {@code
 *       panicThreshold × ready instances} (default 2.0), the policy enters panic mode; in panic it
 *       scales to the larger of the two counts and never down (it keeps the highest count of the
 *       panic); it leaves panic once the condition has not held for a whole stable window;
 *   <li>one decision multiplies the ready count by at most {@code maxScaleUpRate} and divides it by
 *       at most {@code maxScaleDownRate}; the result stays within {@code [minInstances,
 *       maxInstances]}.
 * </ul>
 *
 * <p>Panic mode is the declared memory ({@link KpaMemory}).
 */
public final class KnativeConcurrency implements ScalingPolicy<KpaMemory> {
  private final double targetPerInstance;
  private final Duration stableWindow;
  private final Duration panicWindow;
  private final double panicThreshold;
  private final double maxScaleUpRate;
  private final double maxScaleDownRate;
  private final int minInstances;
  private final int maxInstances;

  private KnativeConcurrency(Builder b) {
    this.targetPerInstance = b.targetPerInstance;
    this.stableWindow = b.stableWindow;
    this.panicWindow = b.panicWindow;
    this.panicThreshold = b.panicThreshold;
    this.maxScaleUpRate = b.maxScaleUpRate;
    this.maxScaleDownRate = b.maxScaleDownRate;
    this.minInstances = b.minInstances;
    this.maxInstances = b.maxInstances;
  }

  /** A builder keeping {@code targetPerInstance} requests in flight per instance. */
  public static Builder builder(double targetPerInstance) {
    return new Builder(targetPerInstance);
  }

  @Override
  public String name() {
    return "knative-kpa";
  }

  @Override
  public KpaMemory initialMemory() {
    return KpaMemory.CALM;
  }

  @Override
  public Recommendation<KpaMemory> decide(History history, long nowNanos, KpaMemory memory) {
    history.requireDecidableAt(nowNanos);
    LoadSample latest = history.latest();
    int ready = Math.max(1, latest.readyInstances());
    double stable =
        history.window(nowNanos - stableWindow.toNanos(), nowNanos).mean(LoadSample::concurrency);
    double panic =
        history.window(nowNanos - panicWindow.toNanos(), nowNanos).mean(LoadSample::concurrency);
    int upLimit = (int) Math.min(Integer.MAX_VALUE, Math.ceil(maxScaleUpRate * ready));
    int downLimit = (int) Math.floor(ready / maxScaleDownRate);
    int stableCount =
        Policies.clamp(Policies.instancesFor(stable, targetPerInstance), downLimit, upLimit);
    int panicCount =
        Policies.clamp(Policies.instancesFor(panic, targetPerInstance), downLimit, upLimit);
    double panicRatio = panic / targetPerInstance / ready;
    boolean over = panicRatio >= panicThreshold;

    Map<String, Double> in = new LinkedHashMap<>();
    in.put("instances", (double) latest.instances());
    in.put("ready", (double) ready);
    in.put("stable_concurrency", stable);
    in.put("panic_concurrency", panic);
    in.put("target_per_instance", targetPerInstance);
    in.put("panic_ratio", panicRatio);

    KpaMemory next;
    String reason;
    int wanted;
    if (over) {
      next = new KpaMemory(true, nowNanos, memory.panicking() ? memory.panicPeak() : 0);
    } else if (memory.panicking()
        && nowNanos - memory.lastOverThresholdNanos() > stableWindow.toNanos()) {
      next = KpaMemory.CALM;
    } else {
      next = memory;
    }
    if (next.panicking()) {
      int count = Math.max(stableCount, panicCount);
      if (count > next.panicPeak()) {
        next = new KpaMemory(true, next.lastOverThresholdNanos(), count);
        wanted = count;
      } else {
        wanted = next.panicPeak();
      }
      reason =
          (over ? "panic: " : "panic (held): ")
              + "panic-window concurrency "
              + num(panic)
              + " is "
              + num(panicRatio)
              + "x the target of "
              + ready
              + " ready; no scale-in while panicking, peak "
              + next.panicPeak();
    } else {
      wanted = stableCount;
      reason =
          (memory.panicking() ? "panic over; " : "")
              + "stable-window concurrency "
              + num(stable)
              + " at "
              + num(targetPerInstance)
              + " per instance needs "
              + stableCount;
    }
    int result = Policies.clamp(wanted, minInstances, maxInstances);
    if (result != wanted) {
      reason += "; clamped to [" + minInstances + ", " + maxInstances + "]";
    }
    return new Recommendation<>(result, reason, in, next);
  }

  public double targetPerInstance() {
    return targetPerInstance;
  }

  public Duration stableWindow() {
    return stableWindow;
  }

  public Duration panicWindow() {
    return panicWindow;
  }

  public double panicThreshold() {
    return panicThreshold;
  }

  @Override
  public String toString() {
    return "KnativeConcurrency["
        + targetPerInstance
        + "/instance, stable "
        + stableWindow
        + ", panic "
        + panicWindow
        + " at "
        + panicThreshold
        + "x, instances "
        + minInstances
        + ".."
        + maxInstances
        + "]";
  }

  /** Builds a {@link KnativeConcurrency}; each setter validates and names the bad value. */
  public static final class Builder {
    private final double targetPerInstance;
    private Duration stableWindow = Duration.ofSeconds(60);
    private Duration panicWindow = Duration.ofSeconds(6);
    private double panicThreshold = 2.0;
    private double maxScaleUpRate = 1000;
    private double maxScaleDownRate = 2;
    private int minInstances = 1;
    private int maxInstances = 100;

    private Builder(double targetPerInstance) {
      this.targetPerInstance = Checks.positive("kpa.targetPerInstance", targetPerInstance);
    }

    /** The window of the stable count (default 60 s). */
    public Builder stableWindow(Duration window) {
      this.stableWindow = Checks.positive("kpa.stableWindow", window);
      return this;
    }

    /** The window of the panic count (default 6 s); shorter than the stable window. */
    public Builder panicWindow(Duration window) {
      this.panicWindow = Checks.positive("kpa.panicWindow", window);
      return this;
    }

    /** Panic count over ready instances that starts panic mode (default 2.0; above 1). */
    public Builder panicThreshold(double threshold) {
      this.panicThreshold = Checks.atLeast("kpa.panicThreshold", threshold, 1.0);
      return this;
    }

    /** Most growth per decision, as a factor of the ready count (default 1000; at least 1). */
    public Builder maxScaleUpRate(double rate) {
      this.maxScaleUpRate = Checks.atLeast("kpa.maxScaleUpRate", rate, 1.0);
      return this;
    }

    /** Most shrinkage per decision, as a divisor of the ready count (default 2; at least 1). */
    public Builder maxScaleDownRate(double rate) {
      this.maxScaleDownRate = Checks.atLeast("kpa.maxScaleDownRate", rate, 1.0);
      return this;
    }

    /** Fewest instances (default 1; 0 lets it scale to zero). */
    public Builder minInstances(int minInstances) {
      this.minInstances = Checks.notNegative("kpa.minInstances", minInstances);
      return this;
    }

    /** Most instances (default 100). */
    public Builder maxInstances(int maxInstances) {
      this.maxInstances = Checks.positive("kpa.maxInstances", maxInstances);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalArgumentException when the panic window is not shorter than the stable one, or
     *     maxInstances is below minInstances
     */
    public KnativeConcurrency build() {
      if (panicWindow.compareTo(stableWindow) >= 0) {
        throw new IllegalArgumentException(
            "kpa.panicWindow ("
                + panicWindow
                + ") must be shorter than kpa.stableWindow ("
                + stableWindow
                + ")");
      }
      Policies.checkBounds("kpa", minInstances, maxInstances);
      return new KnativeConcurrency(this);
    }
  }
}
