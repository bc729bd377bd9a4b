package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.config.ConfigReader;
import io.bulwark.core.context.Criticality;
import io.bulwark.resilience.limit.Gradient2Limit;
import io.bulwark.resilience.limit.LimitAlgorithm;
import java.util.Objects;

/**
 * The immutable settings of a {@link ConcurrencyLimiter}: the limit algorithm and the share of the
 * limit each criticality may fill. With the defaults, SHEDDABLE calls are admitted while fewer than
 * 50% of the limit are in flight, SHEDDABLE_PLUS 75%, CRITICAL 90% and CRITICAL_PLUS 100%: as load
 * rises, SHEDDABLE is rejected first and CRITICAL_PLUS last. A share never rounds down to no permit
 * at all: every criticality may fill at least one (see {@link ConcurrencyLimiter}).
 *
 * @param algorithm how the limit adapts
 * @param criticalPlusShare share of the limit CRITICAL_PLUS calls may fill
 * @param criticalShare share for CRITICAL
 * @param sheddablePlusShare share for SHEDDABLE_PLUS
 * @param sheddableShare share for SHEDDABLE
 */
public record ConcurrencyLimiterConfig(
    LimitAlgorithm algorithm,
    double criticalPlusShare,
    double criticalShare,
    double sheddablePlusShare,
    double sheddableShare) {

  public ConcurrencyLimiterConfig {
    Objects.requireNonNull(algorithm, "algorithm");
    Checks.positiveFraction("criticalPlusShare", criticalPlusShare);
    Checks.positiveFraction("criticalShare", criticalShare);
    Checks.positiveFraction("sheddablePlusShare", sheddablePlusShare);
    Checks.positiveFraction("sheddableShare", sheddableShare);
    if (!(criticalPlusShare >= criticalShare
        && criticalShare >= sheddablePlusShare
        && sheddablePlusShare >= sheddableShare)) {
      throw new IllegalArgumentException(
          "shares must not grow as criticality falls, were criticalPlus="
              + criticalPlusShare
              + " critical="
              + criticalShare
              + " sheddablePlus="
              + sheddablePlusShare
              + " sheddable="
              + sheddableShare);
    }
  }

  /** The share of the limit calls of {@code criticality} may fill. */
  public double share(Criticality criticality) {
    return switch (criticality) {
      case CRITICAL_PLUS -> criticalPlusShare;
      case CRITICAL -> criticalShare;
      case SHEDDABLE_PLUS -> sheddablePlusShare;
      case SHEDDABLE -> sheddableShare;
    };
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values: {@code toBuilder().build()} equals this. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.algorithm = algorithm;
    b.criticalPlus = criticalPlusShare;
    b.critical = criticalShare;
    b.sheddablePlus = sheddablePlusShare;
    b.sheddable = sheddableShare;
    return b;
  }

  /**
   * Binds a limit section onto the defaults of {@link #builder()}: {@code algorithm} ({@code aimd},
   * {@code vegas} or {@code gradient2}, the default), {@code initial-limit}, {@code min-limit},
   * {@code max-limit}, the algorithm's own keys and {@code shares} by criticality.
   */
  public static ConcurrencyLimiterConfig bind(ConfigReader r) {
    return LimitYaml.bind(r);
  }

  /** Builds a {@link ConcurrencyLimiterConfig}. Defaults: Gradient2, shares 1/0.9/0.75/0.5. */
  public static final class Builder {
    private LimitAlgorithm algorithm = Gradient2Limit.ofDefaults();
    private double criticalPlus = 1.0;
    private double critical = 0.9;
    private double sheddablePlus = 0.75;
    private double sheddable = 0.5;

    private Builder() {}

    public Builder algorithm(LimitAlgorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** The share of the limit that calls of {@code criticality} may fill, in (0, 1]. */
    public Builder share(Criticality criticality, double share) {
      Checks.positiveFraction(
          Objects.requireNonNull(criticality, "criticality").name() + " share", share);
      switch (criticality) {
        case CRITICAL_PLUS -> criticalPlus = share;
        case CRITICAL -> critical = share;
        case SHEDDABLE_PLUS -> sheddablePlus = share;
        case SHEDDABLE -> sheddable = share;
      }
      return this;
    }

    public ConcurrencyLimiterConfig build() {
      return new ConcurrencyLimiterConfig(
          algorithm, criticalPlus, critical, sheddablePlus, sheddable);
    }
  }
}
