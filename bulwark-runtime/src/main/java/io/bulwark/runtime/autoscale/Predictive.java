package io.bulwark.runtime.autoscale;

import static io.bulwark.runtime.autoscale.Policies.num;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Predictive scaling: a reactive base policy plus a seasonal forecast learnt from the recorded
 * history of earlier seasons, to scale out before load arrives.
 *
 * <p><b>Forecast</b> (seasonal naive with a level correction): for each of the last {@link
 * #seasons()} recorded seasons {@code k}, the busiest {@link #bucket()} of the metric over the
 * horizon {@code (now, now + lead]} shifted back by {@code k} seasons; those are averaged and
 * multiplied by the level ratio (the metric's mean over the last {@link #levelWindow()} over its
 * mean over the same window one season ago, bounded to [0.5, 2]). The forecast count is {@code
 * ceil(forecast / targetPerInstance)}. Only samples at or before {@code now} are read: the policy
 * learns, it does not peek. With less than one season (plus the level window) recorded it is the
 * base policy alone.
 *
 * <p><b>Combination</b>: with reactive count {@code r}, forecast count {@code f} and current count
 * {@code c}: scale-out to {@code max(r, f)}; scale-in only when {@code r < c}, and then to {@code
 * max(r, min(f, c))}. So the result is never below {@code r}, and it is below {@code c} only when
 * the reactive policy scales in: <b>a forecast alone never scales in</b> (it can only hold a
 * scale-in back).
 *
 * <p>The memory is the base policy's.
 *
 * @param <M> the base policy's memory
 */
public final class Predictive<M> implements ScalingPolicy<M> {
  private final ScalingPolicy<M> base;
  private final Metric metric;
  private final double targetPerInstance;
  private final Duration season;
  private final int seasons;
  private final Duration lead;
  private final Duration bucket;
  private final Duration levelWindow;
  private final int maxInstances;

  private Predictive(Builder<M> b) {
    this.base = b.base;
    this.metric = b.metric;
    this.targetPerInstance = b.targetPerInstance;
    this.season = b.season;
    this.seasons = b.seasons;
    this.lead = b.lead;
    this.bucket = b.bucket;
    this.levelWindow = b.levelWindow;
    this.maxInstances = b.maxInstances;
  }

  /**
   * A builder over the reactive {@code base}, forecasting {@code metric} and provisioning {@code
   * targetPerInstance} of it per instance.
   */
  public static <M> Builder<M> builder(
      ScalingPolicy<M> base, Metric metric, double targetPerInstance) {
    return new Builder<>(base, metric, targetPerInstance);
  }

  @Override
  public String name() {
    return "predictive";
  }

  @Override
  public M initialMemory() {
    return base.initialMemory();
  }

  @Override
  public Recommendation<M> decide(History history, long nowNanos, M memory) {
    history.requireDecidableAt(nowNanos);
    Recommendation<M> reactive = base.decide(history, nowNanos, memory);
    int current = history.latest().instances();
    int r = reactive.instances();
    Map<String, Double> in = new LinkedHashMap<>(reactive.inputs());
    in.put("reactive", (double) r);
    double forecast = forecast(history, nowNanos);
    if (Double.isNaN(forecast)) {
      return new Recommendation<>(
          r,
          "learning (less than one season recorded); reactive: " + reactive.reason(),
          in,
          reactive.memory());
    }
    int f = Math.min(maxInstances, Policies.instancesFor(forecast, targetPerInstance));
    in.put("forecast", forecast);
    in.put("forecast_instances", (double) f);
    int result;
    String reason;
    if (Math.max(r, f) > current) {
      result = Math.max(r, f);
      reason =
          f > r
              ? "out ahead: forecast "
                  + num(forecast)
                  + " within "
                  + lead.toSeconds()
                  + "s needs "
                  + f
              : "reactive: " + reactive.reason();
    } else if (r < current) {
      result = Math.max(r, Math.min(f, current));
      reason =
          result > r
              ? "in held at " + result + " by forecast " + num(forecast) + "; reactive wanted " + r
              : "reactive: " + reactive.reason();
    } else {
      result = r;
      reason = "reactive: " + reactive.reason();
    }
    return new Recommendation<>(result, reason, in, reactive.memory());
  }

  /** The forecast peak of the metric over {@code (now, now + lead]}, or NaN without history. */
  double forecast(History history, long nowNanos) {
    long seasonNanos = season.toNanos();
    long first = history.get(0).atNanos();
    double sum = 0;
    int used = 0;
    double levelPast = 0;
    for (int k = 1; k <= seasons; k++) {
      long then = nowNanos - k * seasonNanos;
      if (then - levelWindow.toNanos() < first) {
        break;
      }
      sum += busiestBucket(history, then, then + lead.toNanos());
      levelPast += history.window(then - levelWindow.toNanos(), then).mean(metric::of);
      used++;
    }
    if (used == 0) {
      return Double.NaN;
    }
    double levelNow = history.window(nowNanos - levelWindow.toNanos(), nowNanos).mean(metric::of);
    levelPast /= used;
    double level = levelPast <= 0 ? 1 : Math.max(0.5, Math.min(2.0, levelNow / levelPast));
    return sum / used * level;
  }

  /** The highest bucket mean of the metric over {@code (from, to]} (buckets end at {@code to}). */
  private double busiestBucket(History history, long from, long to) {
    long width = bucket.toNanos();
    double best = 0;
    for (long end = to; end > from; end -= width) {
      best = Math.max(best, history.window(end - width, end).mean(metric::of));
    }
    return best;
  }

  public ScalingPolicy<M> base() {
    return base;
  }

  public Duration season() {
    return season;
  }

  public Duration lead() {
    return lead;
  }

  public int seasons() {
    return seasons;
  }

  public Duration bucket() {
    return bucket;
  }

  public Duration levelWindow() {
    return levelWindow;
  }

  @Override
  public String toString() {
    return "Predictive["
        + base
        + ", "
        + metric
        + " "
        + targetPerInstance
        + "/instance, season "
        + season
        + " x"
        + seasons
        + ", lead "
        + lead
        + "]";
  }

  /** Builds a {@link Predictive}; each setter validates and names the bad value. */
  public static final class Builder<M> {
    private final ScalingPolicy<M> base;
    private final Metric metric;
    private final double targetPerInstance;
    private Duration season = Duration.ofDays(1);
    private int seasons = 3;
    private Duration lead = Duration.ofMinutes(3);
    private Duration bucket = Duration.ofMinutes(1);
    private Duration levelWindow = Duration.ofMinutes(30);
    private int maxInstances = 100;

    private Builder(ScalingPolicy<M> base, Metric metric, double targetPerInstance) {
      this.base = Checks.notNull("predictive.base", base);
      this.metric = Checks.notNull("predictive.metric", metric);
      this.targetPerInstance = Checks.positive("predictive.targetPerInstance", targetPerInstance);
    }

    /** The period the load repeats with (default 1 day). */
    public Builder<M> season(Duration season) {
      this.season = Checks.positive("predictive.season", season);
      return this;
    }

    /** How many past seasons the forecast averages, at most (default 3). */
    public Builder<M> seasons(int seasons) {
      this.seasons = Checks.inRange("predictive.seasons", seasons, 1, 52);
      return this;
    }

    /**
     * How far ahead to provision (default 3 min): an instance's start-up delay plus the decision
     * interval, so instances are ready when the load arrives.
     */
    public Builder<M> lead(Duration lead) {
      this.lead = Checks.positive("predictive.lead", lead);
      return this;
    }

    /** The averaging bucket of the recorded load (default 1 min). */
    public Builder<M> bucket(Duration bucket) {
      this.bucket = Checks.positive("predictive.bucket", bucket);
      return this;
    }

    /** The window of the level correction (default 30 min). */
    public Builder<M> levelWindow(Duration window) {
      this.levelWindow = Checks.positive("predictive.levelWindow", window);
      return this;
    }

    /** Most instances the forecast asks for (default 100). */
    public Builder<M> maxInstances(int maxInstances) {
      this.maxInstances = Checks.positive("predictive.maxInstances", maxInstances);
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalArgumentException when the lead or the level window is not shorter than the
     *     season (the forecast would read the future)
     */
    public Predictive<M> build() {
      if (lead.compareTo(season) >= 0) {
        throw new IllegalArgumentException(
            "predictive.lead ("
                + lead
                + ") must be shorter than predictive.season ("
                + season
                + ")");
      }
      if (levelWindow.compareTo(season) >= 0) {
        throw new IllegalArgumentException(
            "predictive.levelWindow ("
                + levelWindow
                + ") must be shorter than predictive.season ("
                + season
                + ")");
      }
      return new Predictive<>(this);
    }
  }
}
