package io.bulwark.resilience;

import io.bulwark.core.context.Context;
import io.bulwark.core.time.Scheduler;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Caps the rate of calls: {@code permits} per {@code period} with bursts of up to {@code burst}, by
 * the generic cell rate algorithm (a token bucket kept as one timestamp). A call without a permit
 * waits up to {@code maxWait} (on the injected scheduler) for one, or is rejected with {@link
 * Rejection#RATE_LIMITED}.
 *
 * <p>Guarantee: over any window of length L, at most {@code burst + L × permits / period} calls
 * pass. Thread-safe and lock-free; a permit costs one clock read and one compare-and-set. A waiting
 * call that is interrupted gives its permit back unless a later permit was reserved since.
 *
 * <p>At high rates (permits at most 5 µs apart, i.e. 200,000 per second or more, with a burst of at
 * least 2) the limit is split over N stripes (a power of two with N × interval ≤ 10 µs, N ≤ 2 ×
 * cores and N ≤ burst) that cores take from without sharing one word, and a caller takes from
 * another stripe when its own has none: the guarantee above stays exact and one caller still gets
 * the full rate and burst, but after the burst is spent the next permit may be up to 10 µs away
 * rather than one interval.
 *
 * @see KeyedRateLimiter for one limit per key (client, tenant) with bounded memory
 */
public sealed interface RateLimiter extends Policy permits DefaultRateLimiter {

  static RateLimiter of(String name, RateLimiterConfig config, Scheduler scheduler) {
    return new DefaultRateLimiter(name, config, scheduler);
  }

  /** A limiter of {@code permits} per {@code period} on the system clock, without waiting. */
  static RateLimiter of(String name, int permits, java.time.Duration period) {
    return of(
        name, RateLimiterConfig.builder().rate(permits, period).build(), Defaults.scheduler());
  }

  /** A limiter with the defaults of {@link RateLimiterConfig#builder()} (100 per second). */
  static RateLimiter ofDefaults(String name, Scheduler scheduler) {
    return of(name, RateLimiterConfig.builder().build(), scheduler);
  }

  static RateLimiterConfig.Builder builder() {
    return RateLimiterConfig.builder();
  }

  /**
   * A per-key limiter with the same settings for every key and at most {@code maxKeys} keys, for
   * explicit {@link KeyedRateLimiter#tryAcquire(Object)} calls.
   */
  static <K> KeyedRateLimiter<K> keyed(
      String name, RateLimiterConfig config, Scheduler scheduler, int maxKeys) {
    return new DefaultKeyedRateLimiter<>(name, config, scheduler.clock(), maxKeys, null);
  }

  /**
   * A per-key limiter that can also sit in a {@link Pipeline}: {@code keyOf} finds each call's key
   * in its context (e.g. {@code c -> c.baggage().get("tenant")}); a null key shares one limit.
   */
  static <K> KeyedRateLimiter<K> keyed(
      String name,
      RateLimiterConfig config,
      Scheduler scheduler,
      int maxKeys,
      Function<Context, @Nullable K> keyOf) {
    return new DefaultKeyedRateLimiter<>(
        name, config, scheduler.clock(), maxKeys, Objects.requireNonNull(keyOf, "keyOf"));
  }

  RateLimiterConfig config();

  /** Takes a permit if one is free now, without waiting. */
  boolean tryAcquire();

  /** Permits that could be taken right now. */
  int availablePermits();
}
