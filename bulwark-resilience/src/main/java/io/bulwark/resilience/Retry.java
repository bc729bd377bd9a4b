package io.bulwark.resilience;

import io.bulwark.core.time.Scheduler;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Tries a failed call again, up to {@code maxAttempts} in all, after an exponential backoff with
 * optional jitter. A failure is retried only if {@code retryOn} says so (and {@code
 * ignoreExceptions} does not), if the context deadline leaves more than {@code minAttemptTime}
 * after the backoff, and if the shared {@link RetryBudget}, when configured, grants a token. With
 * the default {@code minAttemptTime} of zero a retry is made whenever any time is left, even too
 * little for the attempt to finish; set it to the shortest time an attempt can succeed in. A result
 * that {@code retryOnResult} accepts is retried the same way, and returned when no retry is left.
 * When it gives up on a failure it rethrows the last one and says why through {@link
 * ResilienceListener#onRetryGivenUp}.
 *
 * <p>Backoffs are timed on the injected {@link Scheduler}. Thread-safe. The success path costs one
 * budget counter increment and allocates nothing.
 */
public sealed interface Retry extends Policy permits DefaultRetry {

  static Retry of(String name, RetryConfig config, Scheduler scheduler) {
    return of(name, config, scheduler, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** A retry whose jitter draws from {@code random} (uniform in [0, 1)), e.g. seeded in tests. */
  static Retry of(String name, RetryConfig config, Scheduler scheduler, DoubleSupplier random) {
    return new DefaultRetry(name, config, scheduler, random);
  }

  /** A retry of {@code maxAttempts} with the default backoff on the system scheduler. */
  static Retry of(String name, int maxAttempts) {
    return of(name, RetryConfig.builder().maxAttempts(maxAttempts).build(), Defaults.scheduler());
  }

  /** A retry with the defaults of {@link RetryConfig#builder()}. */
  static Retry ofDefaults(String name, Scheduler scheduler) {
    return of(name, RetryConfig.builder().build(), scheduler);
  }

  static RetryConfig.Builder builder() {
    return RetryConfig.builder();
  }

  RetryConfig config();

  /**
   * The backoff before retry number {@code retry} (1 = the first retry), given the previous delay
   * (for decorrelated jitter); exposed for tests and tooling.
   */
  long backoffNanos(int retry, long previousDelayNanos);
}
