package io.bulwark.resilience;

import io.bulwark.core.config.Checks;
import io.bulwark.core.time.Clock;
import io.bulwark.core.time.Scheduler;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A budget for retries and hedges shared by all callers of one dependency, so that a failing
 * dependency sees at most a bounded fraction of extra load instead of a retry storm. Each request
 * earns {@code ratio} of a retry; time earns {@code minRetriesPerSecond}; each retry or hedge
 * spends one. Unused credit is capped at {@code maxBurst} retries.
 *
 * <p>Guarantee (tested under many threads): at every moment, {@code retries ≤ ratio × requests +
 * minRetriesPerSecond × elapsedSeconds}, and over any interval the retries granted are at most
 * {@code maxBurst} plus what the interval earned.
 *
 * <p>Design note: credit is kept in milli-retries as {@code earned − spent}. Requests only bump a
 * {@link LongAdder} (no contention on the success path); a retry recomputes what was earned and
 * moves {@code spent} forward by compare-and-set, first forfeiting any credit above the cap. Since
 * {@code spent} never passes {@code earned}, the guarantee holds whatever the interleaving.
 */
public final class RetryBudget {
  private static final long MILLI = 1000;

  private final String name;
  private final RetryBudgetConfig config;
  private final Clock clock;
  private final long startNanos;
  private final long capMilli;
  private final LongAdder requests = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final AtomicLong spentMilli = new AtomicLong();

  private RetryBudget(String name, RetryBudgetConfig config, Clock clock) {
    this.name = Checks.notBlank("name", name);
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.startNanos = clock.nanoTime();
    this.capMilli = config.maxBurst() * MILLI;
  }

  /** A budget that refills on the shared {@link Scheduler#system()}. */
  public static RetryBudget of(String name, RetryBudgetConfig config) {
    return of(name, config, Scheduler.system());
  }

  /** A budget that refills on {@code scheduler}'s clock. */
  public static RetryBudget of(String name, RetryBudgetConfig config, Scheduler scheduler) {
    return new RetryBudget(name, config, scheduler.clock());
  }

  /** A budget with the defaults of {@link RetryBudgetConfig#builder()}. */
  public static RetryBudget ofDefaults(String name, Scheduler scheduler) {
    return of(name, RetryBudgetConfig.builder().build(), scheduler);
  }

  public static RetryBudgetConfig.Builder builder() {
    return RetryBudgetConfig.builder();
  }

  public String name() {
    return name;
  }

  public RetryBudgetConfig config() {
    return config;
  }

  /** Counts one request (not one attempt): earns {@code ratio} of a retry. */
  public void recordRequest() {
    requests.increment();
  }

  /** Spends one retry if the budget has it. */
  public boolean tryAcquire() {
    for (; ; ) {
      long spent = spentMilli.get();
      long earned = earnedMilli();
      long floor = earned - spent > capMilli ? earned - capMilli : spent;
      if (earned - floor < MILLI) {
        return false;
      }
      if (spentMilli.compareAndSet(spent, floor + MILLI)) {
        retries.increment();
        return true;
      }
    }
  }

  /** Retries the budget could grant right now. */
  public int available() {
    long balance = Math.min(capMilli, earnedMilli() - spentMilli.get());
    return (int) Math.max(0, balance / MILLI);
  }

  /** Requests counted so far. */
  public long requests() {
    return requests.sum();
  }

  /** Retries granted so far. */
  public long retries() {
    return retries.sum();
  }

  private long earnedMilli() {
    double seconds = (clock.nanoTime() - startNanos) / 1e9;
    return (long)
        Math.floor(
            config.ratio() * MILLI * requests.sum()
                + config.minRetriesPerSecond() * MILLI * seconds);
  }

  @Override
  public String toString() {
    return "RetryBudget[" + name + ", " + available() + " available]";
  }
}
