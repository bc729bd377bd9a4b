package io.bulwark.chaos.experiment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stepwise growing blast radius: the fault starts on {@code fromPercent} % of the requests and
 * grows by {@code byPercent} every {@code every} until it reaches {@code toPercent}, where it stays
 * until its step ends.
 *
 * @param fromPercent the first share, in (0, 100]
 * @param byPercent the growth per stage, positive
 * @param every how long each stage lasts, positive
 * @param toPercent the last share, in [fromPercent, 100]
 */
public record Ramp(double fromPercent, double byPercent, Duration every, double toPercent) {
  public Ramp {
    if (!(fromPercent > 0 && fromPercent <= 100)) {
      throw new IllegalArgumentException("ramp from must be in (0, 100], was " + fromPercent);
    }
    if (!(byPercent > 0)) {
      throw new IllegalArgumentException("ramp by must be positive, was " + byPercent);
    }
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("ramp every must be positive, was " + every);
    }
    if (!(toPercent >= fromPercent && toPercent <= 100)) {
      throw new IllegalArgumentException(
          "ramp to must be in [from, 100] = [" + fromPercent + ", 100], was " + toPercent);
    }
  }

  /** The share of each stage, in order: from, from+by, ... capped at to. */
  public List<Double> stages() {
    List<Double> out = new ArrayList<>();
    for (int i = 0; ; i++) {
      double p = Math.min(toPercent, fromPercent + i * byPercent);
      out.add(p);
      if (p >= toPercent) {
        return out;
      }
    }
  }
}
