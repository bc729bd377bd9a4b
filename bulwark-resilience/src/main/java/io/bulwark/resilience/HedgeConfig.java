package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The immutable settings of a {@link Hedge}.
 *
 * @param maxHedges backup attempts at most (besides the first attempt)
 * @param delay the wait before each backup; with a percentile, the wait until enough samples exist
 * @param percentile send a backup once the attempt is slower than this latency percentile of recent
 *     successful attempts (e.g. 95); 0 = always use {@code delay}
 * @param minSamples successful attempts observed before the percentile is trusted
 * @param budget the retry budget each backup must take a token from, or null for none
 */
public record HedgeConfig(
    int maxHedges,
    Duration delay,
    double percentile,
    int minSamples,
    @Nullable RetryBudget budget) {

  public HedgeConfig {
    Checks.positive("maxHedges", maxHedges);
    Checks.notNegative("delay", delay);
    if (percentile != 0) {
      if (!(percentile > 0 && percentile < 100)) {
        throw new IllegalArgumentException(
            "percentile must be in (0, 100) or 0 for a fixed delay, was " + percentile);
      }
    }
    Checks.positive("minSamples", minSamples);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxHedges = maxHedges;
    b.delay = delay;
    b.percentile = percentile;
    b.minSamples = minSamples;
    b.budget = budget;
    return b;
  }

  /**
   * Binds a hedge section onto the defaults of {@link #builder()}: {@code max-hedges}, {@code
   * delay}, {@code percentile}, {@code min-samples}.
   */
  public static HedgeConfig bind(ConfigReader r) {
    Builder b = builder();
    r.integer("max-hedges", b::maxHedges)
        .duration("delay", b::delay)
        .decimal("percentile", b::percentile)
        .integer("min-samples", b::minSamples);
    return b.build();
  }

  /** Builds a {@link HedgeConfig}. Defaults: one backup after 100 ms, no budget. */
  public static final class Builder {
    private int maxHedges = 1;
    private Duration delay = Duration.ofMillis(100);
    private double percentile;
    private int minSamples = 20;
    private @Nullable RetryBudget budget;

    private Builder() {}

    public Builder maxHedges(int hedges) {
      this.maxHedges = Checks.positive("maxHedges", hedges);
      return this;
    }

    /** A backup after a fixed {@code delay}. */
    public Builder delay(Duration delay) {
      this.delay = Checks.notNegative("delay", delay);
      return this;
    }

    /** A backup once the attempt is slower than the {@code percentile} of recent latencies. */
    public Builder percentile(double percentile) {
      if (!(percentile > 0 && percentile < 100)) {
        throw new IllegalArgumentException("percentile must be in (0, 100), was " + percentile);
      }
      this.percentile = percentile;
      return this;
    }

    public Builder minSamples(int samples) {
      this.minSamples = Checks.positive("minSamples", samples);
      return this;
    }

    public Builder budget(@Nullable RetryBudget budget) {
      this.budget = budget;
      return this;
    }

    public HedgeConfig build() {
      return new HedgeConfig(maxHedges, delay, percentile, minSamples, budget);
    }
  }
}
