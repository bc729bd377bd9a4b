package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import java.time.Duration;

/**
 * The immutable settings of a {@link Bulkhead}.
 *
 * @param maxConcurrent how many calls may run at once
 * @param maxWait how long a call waits for a free permit before it is rejected; zero = never waits
 */
public record BulkheadConfig(int maxConcurrent, Duration maxWait) {

  public BulkheadConfig {
    Checks.positive("maxConcurrent", maxConcurrent);
    Checks.notNegative("maxWait", maxWait);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxConcurrent = maxConcurrent;
    b.maxWait = maxWait;
    return b;
  }

  /**
   * Binds a bulkhead section onto the defaults of {@link #builder()}: {@code max-concurrent}
   * (required), {@code max-wait}.
   */
  public static BulkheadConfig bind(ConfigReader r) {
    Builder b = builder();
    r.require("max-concurrent")
        .integer("max-concurrent", b::maxConcurrent)
        .duration("max-wait", b::maxWait);
    return b.build();
  }

  /** Builds a {@link BulkheadConfig}; setters validate. Defaults: 25 concurrent, no wait. */
  public static final class Builder {
    private int maxConcurrent = 25;
    private Duration maxWait = Duration.ZERO;

    private Builder() {}

    public Builder maxConcurrent(int calls) {
      this.maxConcurrent = Checks.positive("maxConcurrent", calls);
      return this;
    }

    public Builder maxWait(Duration wait) {
      this.maxWait = Checks.notNegative("maxWait", wait);
      return this;
    }

    public BulkheadConfig build() {
      return new BulkheadConfig(maxConcurrent, maxWait);
    }
  }
}
