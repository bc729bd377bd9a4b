package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Policies.num;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Event-lag scaling in the manner of KEDA's Kafka scaler: instances follow the consumer lag.
 *
 * <ul>
 *   <li>active while the lag is above {@link #activationLag()}: {@code ceil(lag / lagPerInstance)}
 *       instances, at least {@code minInstances} (and at least one);
 *   <li>from zero instances, only activation starts one: a lag at or below the activation threshold
 *       leaves a scaled-to-zero service at zero;
 *   <li>scale-in is stabilised as in {@link TargetTracking}: down only to the highest count of the
 *       samples in the last {@link #scaleDownStabilisation()};
 *   <li>with {@link Builder#scaleToZero(boolean) scale to zero}, a service whose lag stayed at or
 *       below the activation threshold for a whole {@link #cooldown()} goes to zero instances;
 *       without it, it keeps {@code minInstances}.
 * </ul>
 *
 * <p>Everything comes from the history: the policy keeps no memory ({@link NoMemory}).
 */
public final class LagScaling implements ScalingPolicy<NoMemory> {
  private final double lagPerInstance;
  private final long activationLag;
  private final boolean scaleToZero;
  private final Duration cooldown;
  private final Duration scaleDownStabilisation;
  private final int minInstances;
  private final int maxInstances;

  private LagScaling(Builder b) {
    this.lagPerInstance = b.lagPerInstance;
    this.activationLag = b.activationLag;
    this.scaleToZero = b.scaleToZero;
    this.cooldown = b.cooldown;
    this.scaleDownStabilisation = b.scaleDownStabilisation;
    this.minInstances = b.minInstances;
    this.maxInstances = b.maxInstances;
  }

  /** A builder aiming at {@code lagPerInstance} waiting records per instance. */
  public static Builder builder(double lagPerInstance) {
    return new Builder(lagPerInstance);
  }

  @Override
  public String name() {
    return "event-lag";
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
    long lag = latest.consumerLag();
    boolean active = lag > activationLag;
    Map<String, Double> in = new LinkedHashMap<>();
    in.put("instances", (double) current);
    in.put("lag", (double) lag);
    in.put("lag_per_instance", lagPerInstance);
    in.put("activation_lag", (double) activationLag);
    String reason;
    int result;
    if (!active && current == 0 && scaleToZero) {
      result = 0;
      reason = "idle: lag " + lag + " not above activation threshold " + activationLag;
    } else if (!active
        && scaleToZero
        && history.window(nowNanos - cooldown.toNanos(), nowNanos).max(LoadSample::consumerLag)
            <= activationLag
        && history.latest().atNanos() - history.get(0).atNanos() >= cooldown.toNanos()) {
      result = 0;
      reason =
          "to zero: lag not above "
              + activationLag
              + " for the cooldown of "
              + cooldown.toSeconds()
              + "s";
    } else {
      int raw = raw(latest);
      in.put("raw", (double) raw);
      if (raw >= current) {
        result = raw;
        reason =
            (raw > current ? "out: " : "hold: ")
                + "lag "
                + lag
                + " at "
                + num(lagPerInstance)
                + " per instance needs "
                + raw;
      } else {
        History window = history.window(nowNanos - scaleDownStabilisation.toNanos(), nowNanos);
        int stable = raw;
        for (int i = 0; i < window.size(); i++) {
          stable = Math.max(stable, raw(window.get(i)));
        }
        in.put("stabilised", (double) stable);
        result = Math.min(current, stable);
        reason =
            (result < current ? "in: " : "hold: ")
                + "highest count in the last "
                + scaleDownStabilisation.toSeconds()
                + "s is "
                + stable;
      }
    }
    int clamped = Math.min(result, maxInstances);
    if (clamped != result) {
      reason += "; clamped to " + maxInstances;
    }
    return new Recommendation<>(clamped, reason, in, NoMemory.NONE);
  }

  /** Count for one sample while active (or not yet cooled down): at least minInstances and 1. */
  private int raw(LoadSample s) {
    return Math.max(
        Math.max(1, minInstances), Policies.instancesFor((double) s.consumerLag(), lagPerInstance));
  }

  public double lagPerInstance() {
    return lagPerInstance;
  }

  public long activationLag() {
    return activationLag;
  }

  public boolean scaleToZero() {
    return scaleToZero;
  }

  public Duration cooldown() {
    return cooldown;
  }

  public Duration scaleDownStabilisation() {
    return scaleDownStabilisation;
  }

  @Override
  public String toString() {
    return "LagScaling["
        + lagPerInstance
        + "/instance, activation "
        + activationLag
        + (scaleToZero ? ", to zero after " + cooldown : "")
        + ", instances "
        + minInstances
        + ".."
        + maxInstances
        + "]";
  }

  /** Builds a {@link LagScaling}; each setter validates and names the bad value. */
  public static final class Builder {
    private final double lagPerInstance;
    private long activationLag;
    private boolean scaleToZero;
    private Duration cooldown = Duration.ofMinutes(5);
    private Duration scaleDownStabilisation = Duration.ofMinutes(5);
    private int minInstances = 1;
    private int maxInstances = 100;

    private Builder(double lagPerInstance) {
      this.lagPerInstance = Checks.positive("lag.lagPerInstance", lagPerInstance);
    }

    /** Lag at or below which the service counts as idle (default 0). */
    public Builder activationLag(long activationLag) {
      this.activationLag = Checks.notNegative("lag.activationLag", activationLag);
      return this;
    }

    /** Whether an idle service goes to zero instances after the cooldown (default no). */
    public Builder scaleToZero(boolean scaleToZero) {
      this.scaleToZero = scaleToZero;
      return this;
    }

    /** How long a service must be idle before it goes to zero (default 5 min). */
    public Builder cooldown(Duration cooldown) {
      this.cooldown = Checks.positive("lag.cooldown", cooldown);
      return this;
    }

    /** How far back scale-in looks for a higher count (default 5 min; zero: none). */
    public Builder scaleDownStabilisation(Duration window) {
      this.scaleDownStabilisation = Checks.notNegative("lag.scaleDownStabilisation", window);
      return this;
    }

    /** Fewest instances while active (default 1; at least 1). */
    public Builder minInstances(int minInstances) {
      this.minInstances = Checks.positive("lag.minInstances", minInstances);
      return this;
    }

    /** Most instances (default 100). */
    public Builder maxInstances(int maxInstances) {
      this.maxInstances = Checks.positive("lag.maxInstances", maxInstances);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalArgumentException when maxInstances is below minInstances
     */
    public LagScaling build() {
      Policies.checkBounds("lag", minInstances, maxInstances);
      return new LagScaling(this);
    }
  }
}
