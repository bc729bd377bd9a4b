package io.bulwark.runtime.autoscale.sim;

import io.bulwark.core.config.Checks;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Offered load over simulated time: requests per second at an instant. A pure function of the
 * instant (and a seed), so a run replays exactly and an oracle can read it ahead.
 */
public interface TrafficShape {

  /** A short name for tables, e.g. {@code diurnal}. */
  String name();

  /** Requests per second offered at {@code atNanos} (simulated time, starting at 0). */
  double rate(long atNanos);

  /**
   * A daily curve: {@code low} at night, {@code high} in the afternoon, a smooth rise and fall
   * ({@code low + (high − low) × ((1 − cos(2π·t/period)) / 2)²}, peaking at half the period).
   */
  static TrafficShape diurnal(double low, double high, Duration period) {
    Checks.notNegative("diurnal.low", low);
    Checks.atLeast("diurnal.high", high, low);
    long p = Checks.positive("diurnal.period", period).toNanos();
    return new Named(
        "diurnal",
        t -> {
          double phase = (double) Math.floorMod(t, p) / p;
          double wave = (1 - Math.cos(2 * Math.PI * phase)) / 2;
          return low + (high - low) * wave * wave;
        });
  }

  /**
   * A flat {@code base} with a burst to {@code peak} for {@code length} once a period, starting at
   * {@code at} into the period shifted each period by a seeded jitter of up to ± {@code jitter}
   * (one minute ramps on both sides).
   */
  static TrafficShape spike(
      double base,
      double peak,
      Duration at,
      Duration length,
      Duration jitter,
      Duration period,
      long seed) {
    Checks.notNegative("spike.base", base);
    Checks.atLeast("spike.peak", peak, base);
    long p = Checks.positive("spike.period", period).toNanos();
    long start = Checks.notNegative("spike.at", at).toNanos();
    long len = Checks.positive("spike.length", length).toNanos();
    long jit = Checks.notNegative("spike.jitter", jitter).toNanos();
    long ramp = Duration.ofMinutes(1).toNanos();
    return new Named(
        "spike",
        t -> {
          long day = Math.floorDiv(t, p);
          long shift = jit == 0 ? 0 : new SplittableRandom(seed * 31 + day).nextLong(-jit, jit + 1);
          long into = Math.floorMod(t, p) - start - shift;
          double level;
          if (into < -ramp || into > len + ramp) {
            level = 0;
          } else if (into < 0) {
            level = 1 + (double) into / ramp;
          } else if (into <= len) {
            level = 1;
          } else {
            level = 1 - (double) (into - len) / ramp;
          }
          return base + (peak - base) * level;
        });
  }

  /**
   * {@code low}, stepping to {@code high} at {@code up} into each period and back at {@code down}.
   */
  static TrafficShape step(double low, double high, Duration up, Duration down, Duration period) {
    Checks.notNegative("step.low", low);
    Checks.notNegative("step.high", high);
    long p = Checks.positive("step.period", period).toNanos();
    long u = Checks.notNegative("step.up", up).toNanos();
    long d = Checks.notNegative("step.down", down).toNanos();
    if (d <= u || d > p) {
      throw new IllegalArgumentException(
          "step.down (" + down + ") must be after step.up (" + up + ") and within " + period);
    }
    return new Named(
        "step",
        t -> {
          long into = Math.floorMod(t, p);
          return into >= u && into < d ? high : low;
        });
  }

  /**
   * {@code shape} with seeded multiplicative noise: each {@code every} its rate is multiplied by
   * {@code 1 + amplitude × g} ({@code g} standard normal, the product floored at 0), and by {@code
   * 1 + growthPerPeriod × (periods elapsed)} (a slow trend).
   */
  static TrafficShape noisy(
      TrafficShape shape,
      double amplitude,
      Duration every,
      double growthPerPeriod,
      Duration period,
      long seed) {
    Checks.notNull("noisy.shape", shape);
    Checks.inRange("noisy.amplitude", amplitude, 0.0, 1.0);
    long e = Checks.positive("noisy.every", every).toNanos();
    Checks.inRange("noisy.growthPerPeriod", growthPerPeriod, -0.5, 1.0);
    long p = Checks.positive("noisy.period", period).toNanos();
    return new Named(
        "noisy-" + shape.name(),
        t -> {
          double g = new SplittableRandom(seed * 1_000_003L + Math.floorDiv(t, e)).nextGaussian();
          double trend = 1 + growthPerPeriod * Math.floorDiv(t, p);
          return Math.max(0, shape.rate(t) * (1 + amplitude * g) * trend);
        });
  }

  /** A shape with a name. */
  record Named(String name, java.util.function.LongToDoubleFunction curve) implements TrafficShape {
    @Override
    public double rate(long atNanos) {
      return curve.applyAsDouble(atNanos);
    }
  }
}
