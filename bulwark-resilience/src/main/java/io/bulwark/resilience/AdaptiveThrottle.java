package io.bulwark.resilience;

import io.bulwark.core.time.Scheduler;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Client-side adaptive throttling (Google SRE book, "Handling Overload"): the client counts its
 * requests and the backend's accepts over a window and drops requests locally with probability
 * {@code max(0, (requests − k × accepts) / (requests + 1))}, rejected with {@link
 * Rejection#THROTTLED}. A healthy backend (every request accepted) is never throttled; a backend
 * that rejects everything sees the client's traffic fall toward what it accepts. A sent request is
 * counted when it ends and a dropped one when it is dropped, so calls still in flight never count
 * as refused (otherwise a burst of concurrent first calls would throttle a healthy backend).
 *
 * <p>Thread-safe; counts are kept in one-second buckets under a short lock.
 */
public sealed interface AdaptiveThrottle extends Policy permits DefaultAdaptiveThrottle {

  /** A throttle that counts in seconds of {@code scheduler}'s clock. */
  static AdaptiveThrottle of(String name, AdaptiveThrottleConfig config, Scheduler scheduler) {
    return new DefaultAdaptiveThrottle(
        name, config, scheduler.clock(), () -> ThreadLocalRandom.current().nextDouble());
  }

  /** A throttle with the defaults of {@link AdaptiveThrottleConfig#builder()} (k = 2, 2 min). */
  static AdaptiveThrottle ofDefaults(String name, Scheduler scheduler) {
    return of(name, AdaptiveThrottleConfig.builder().build(), scheduler);
  }

  static AdaptiveThrottleConfig.Builder builder() {
    return AdaptiveThrottleConfig.builder();
  }

  AdaptiveThrottleConfig config();

  /** The probability that the next request is dropped locally. */
  double rejectionProbability();
}
