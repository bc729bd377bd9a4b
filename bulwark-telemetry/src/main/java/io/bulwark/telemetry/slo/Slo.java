package io.bulwark.telemetry.slo;

import io.bulwark.telemetry.store.TimeSeriesStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A service level objective as code: an {@link Sli}, an objective (e.g. 0.999) over a window
 * (default 30 days) and its burn-rate alerts (default {@link BurnRateAlert#sreWorkbookDefaults()}).
 * The same object is evaluated in-process ({@link SloEvaluator}) and exported as Prometheus rules
 * ({@link PrometheusRules}).
 *
 * <p>Math: error budget = 1 - objective; error ratio over w = bad/total; burn rate over w = error
 * ratio / error budget; budget remaining = 1 - bad/(budget * total) over the SLO window (1 with no
 * traffic, negative when overspent). An alert condition "burn over w > r" is decided exactly as
 * {@code bad > r * budget * total} in decimal arithmetic, so a burn of exactly r never fires.
 *
 * <p>Low traffic: with few events one failure is a huge burn rate. {@link
 * Builder#minimumEvents(long)} makes alerts require at least that many events in the long window.
 */
public final class Slo {
  private final String name;
  private final Sli sli;
  private final double objective;
  private final BigDecimal budget;
  private final Duration window;
  private final List<BurnRateAlert> alerts;
  private final long minimumEvents;

  private Slo(Builder b) {
    this.name = b.name;
    Sli chosen = b.sli;
    if (chosen == null) {
      throw new IllegalArgumentException("SLO \"" + b.name + "\" needs an sli");
    }
    this.sli = chosen;
    this.objective = b.objective;
    this.budget = BigDecimal.ONE.subtract(BigDecimal.valueOf(b.objective));
    this.window = b.window;
    this.alerts = b.alerts;
    this.minimumEvents = b.minimumEvents;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public Sli sli() {
    return sli;
  }

  public double objective() {
    return objective;
  }

  /** 1 - objective, exact in decimal. */
  public BigDecimal errorBudget() {
    return budget;
  }

  public Duration window() {
    return window;
  }

  public List<BurnRateAlert> alerts() {
    return alerts;
  }

  public long minimumEvents() {
    return minimumEvents;
  }

  /** Burn rate over {@code w}: error ratio / error budget (0 with no events). */
  public double burnRate(TimeSeriesStore store, Duration w) {
    return burnRate(sli.counts(store, w));
  }

  double burnRate(EventCounts c) {
    return c.errorRatio() / budget.doubleValue();
  }

  /** True if the burn rate of {@code c} is strictly above {@code threshold} (exact decimal). */
  boolean burnsFasterThan(EventCounts c, double threshold) {
    if (c.total() <= 0) {
      return false;
    }
    BigDecimal allowed =
        BigDecimal.valueOf(threshold).multiply(budget).multiply(BigDecimal.valueOf(c.total()));
    return BigDecimal.valueOf(c.bad()).compareTo(allowed) > 0;
  }

  /** Fraction of the error budget left over the SLO window (1 with no events; may be negative). */
  public double errorBudgetRemaining(TimeSeriesStore store) {
    EventCounts c = sli.counts(store, window);
    if (c.total() <= 0) {
      return 1;
    }
    return 1 - c.bad() / (budget.doubleValue() * c.total());
  }

  @Override
  public String toString() {
    return "Slo[" + name + ", " + sli + ", objective=" + objective + ", window=" + window + "]";
  }

  /** Builder; each setter validates. */
  public static final class Builder {
    private final String name;
    private @org.jspecify.annotations.Nullable Sli sli;
    private double objective = 0.999;
    private Duration window = Duration.ofDays(30);
    private List<BurnRateAlert> alerts = BurnRateAlert.sreWorkbookDefaults();
    private long minimumEvents;

    private Builder(String name) {
      if (!name.matches("[a-zA-Z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException(
            "SLO name must be 1 to 64 letters, digits, '_', '.', '-', was \"" + name + "\"");
      }
      this.name = name;
    }

    public Builder sli(Sli sli) {
      this.sli = Objects.requireNonNull(sli, "sli");
      return this;
    }

    /** Target fraction of good events, strictly between 0 and 1 (e.g. 0.999). */
    public Builder objective(double objective) {
      if (!(objective > 0 && objective < 1)) {
        throw new IllegalArgumentException(
            "SLO \"" + name + "\": objective must be strictly between 0 and 1, was " + objective);
      }
      this.objective = objective;
      return this;
    }

    public Builder window(Duration window) {
      if (window.compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException(
            "SLO \"" + name + "\": window must be at least 1h, was " + window);
      }
      this.window = window;
      return this;
    }

    public Builder alerts(List<BurnRateAlert> alerts) {
      this.alerts = List.copyOf(alerts);
      return this;
    }

    /** Alerts need at least this many events in their long window (low-traffic guard). */
    public Builder minimumEvents(long minimumEvents) {
      if (minimumEvents < 0) {
        throw new IllegalArgumentException(
            "SLO \"" + name + "\": minimumEvents must be >= 0, was " + minimumEvents);
      }
      this.minimumEvents = minimumEvents;
      return this;
    }

    public Slo build() {
      return new Slo(this);
    }
  }
}
