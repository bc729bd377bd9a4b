package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;

/**
 * The immutable settings of a {@link RetryBudget}.
 *
 * @param ratio retries allowed per request, e.g. 0.2 for "retries ≤ 20% of requests"
 * @param minRetriesPerSecond retries allowed per second even with few requests (0 = none)
 * @param maxBurst the most unused retry credit kept, in retries: a quiet spell cannot save up more
 */
public record RetryBudgetConfig(double ratio, double minRetriesPerSecond, int maxBurst) {

  public RetryBudgetConfig {
    Checks.fraction("ratio", ratio);
    Checks.notNegative("minRetriesPerSecond", minRetriesPerSecond);
    if (minRetriesPerSecond > 1_000_000) {
      throw new IllegalArgumentException(
          "minRetriesPerSecond must be at most 1000000, was " + minRetriesPerSecond);
    }
    Checks.positive("maxBurst", maxBurst);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ratio = ratio;
    b.minRetriesPerSecond = minRetriesPerSecond;
    b.maxBurst = maxBurst;
    return b;
  }

  /**
   * Binds a budget section onto the defaults of {@link #builder()}: {@code ratio}, {@code
   * min-retries-per-second}, {@code max-burst}.
   */
  public static RetryBudgetConfig bind(ConfigReader r) {
    Builder b = builder();
    r.decimal("ratio", b::ratio)
        .decimal("min-retries-per-second", b::minRetriesPerSecond)
        .integer("max-burst", b::maxBurst);
    return b.build();
  }

  /** Builds a {@link RetryBudgetConfig}. Defaults: 20% of requests + 10 per second, burst 100. */
  public static final class Builder {
    private double ratio = 0.2;
    private double minRetriesPerSecond = 10;
    private int maxBurst = 100;

    private Builder() {}

    public Builder ratio(double ratio) {
      this.ratio = Checks.fraction("ratio", ratio);
      return this;
    }

    public Builder minRetriesPerSecond(double perSecond) {
      this.minRetriesPerSecond = Checks.notNegative("minRetriesPerSecond", perSecond);
      return this;
    }

    public Builder maxBurst(int retries) {
      this.maxBurst = Checks.positive("maxBurst", retries);
      return this;
    }

    public RetryBudgetConfig build() {
      return new RetryBudgetConfig(ratio, minRetriesPerSecond, maxBurst);
    }
  }
}
