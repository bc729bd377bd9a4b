package io.bulwark.resilience;

import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.context.Criticality;
import io.bulwark.resilience.limit.AimdLimit;
import io.bulwark.resilience.limit.Gradient2Limit;
import io.bulwark.resilience.limit.LimitAlgorithm;
import io.bulwark.resilience.limit.VegasLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binds a {@link ConcurrencyLimiterConfig} section: the algorithm, its bounds and own keys, and the
 * shares by criticality. Unset keys take the algorithm's {@code ofDefaults()} values.
 */
final class LimitYaml {
  private LimitYaml() {}

  /** Limit algorithms as written in YAML. */
  enum Algorithm {
    AIMD,
    VEGAS,
    GRADIENT2
  }

  static ConcurrencyLimiterConfig bind(ConfigReader r) {
    ConcurrencyLimiterConfig.Builder b = ConcurrencyLimiterConfig.builder();
    Algorithm[] algorithm = {Algorithm.GRADIENT2};
    r.enumValue("algorithm", Algorithm.class, a -> algorithm[0] = a);
    int[] bounds = {20, 1, 1000};
    r.integer("initial-limit", v -> bounds[0] = v)
        .integer("min-limit", v -> bounds[1] = v)
        .integer("max-limit", v -> bounds[2] = v);
    LimitAlgorithm chosen =
        switch (algorithm[0]) {
          case AIMD -> aimd(r, bounds);
          case VEGAS -> vegas(r, bounds);
          case GRADIENT2 -> gradient2(r, bounds);
        };
    b.algorithm(chosen);
    r.section("shares", s -> shares(s, b));
    return b.build();
  }

  private static LimitAlgorithm aimd(ConfigReader r, int[] bounds) {
    AimdLimit d = AimdLimit.ofDefaults();
    double[] backoff = {d.backoffRatio()};
    Duration[] timeout = {d.timeout()};
    r.decimal("backoff-ratio", v -> backoff[0] = v).duration("timeout", v -> timeout[0] = v);
    return new AimdLimit(bounds[0], bounds[1], bounds[2], backoff[0], timeout[0]);
  }

  private static LimitAlgorithm vegas(ConfigReader r, int[] bounds) {
    double[] smoothing = {VegasLimit.ofDefaults().smoothing()};
    r.decimal("smoothing", v -> smoothing[0] = v);
    return new VegasLimit(bounds[0], bounds[1], bounds[2], smoothing[0]);
  }

  private static LimitAlgorithm gradient2(ConfigReader r, int[] bounds) {
    Gradient2Limit d = Gradient2Limit.ofDefaults();
    double[] tolerance = {d.tolerance()};
    int[] longWindow = {d.longWindow()};
    int[] queue = {d.queueSize()};
    double[] smoothing = {d.smoothing()};
    r.decimal("tolerance", v -> tolerance[0] = v)
        .integer("long-window", v -> longWindow[0] = v)
        .integer("queue-size", v -> queue[0] = v)
        .decimal("smoothing", v -> smoothing[0] = v);
    return new Gradient2Limit(
        bounds[0], bounds[1], bounds[2], tolerance[0], longWindow[0], queue[0], smoothing[0]);
  }

  private static Boolean shares(ConfigReader r, ConcurrencyLimiterConfig.Builder b) {
    Set<String> keys = new TreeSet<>(r.keys());
    for (String key : new ArrayList<>(keys)) {
      Criticality c;
      try {
        c = Criticality.parse(key);
      } catch (IllegalArgumentException e) {
        continue; // left unread: reported as an unknown key with the known ones
      }
      r.decimal(key, v -> b.share(c, v));
    }
    return Boolean.TRUE;
  }
}
