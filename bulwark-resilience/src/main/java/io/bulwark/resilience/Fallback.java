package io.bulwark.resilience;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Graceful degradation: replaces a failure with a value, a value computed from the failure, or the
 * last value the call returned successfully. Only failures that {@link #when(Predicate)} accepts
 * are replaced (default: all); others, and failures of the fallback function itself, propagate.
 *
 * <p>A pipeline's results are not typed, so a pipeline holding a {@code Fallback<T>} must only run
 * calls that return {@code T}. Thread-safe; the last-good variant stores each successful result
 * (one volatile write), the others cost nothing on success.
 */
public sealed interface Fallback<T> extends Policy permits DefaultFallback {

  /** Replaces a failure with {@code value}. */
  static <T> Fallback<T> of(String name, T value) {
    return new DefaultFallback<>(name, failure -> value, false, failure -> true);
  }

  /** Replaces a failure with {@code function(failure)}. */
  static <T> Fallback<T> from(String name, Function<Throwable, ? extends T> function) {
    return new DefaultFallback<>(name, function, false, failure -> true);
  }

  /**
   * Replaces a failure with the last successful result; before any success, with {@code
   * ifNone(failure)} (which may rethrow).
   */
  static <T> Fallback<T> lastGood(String name, Function<Throwable, ? extends T> ifNone) {
    return new DefaultFallback<>(name, ifNone, true, failure -> true);
  }

  /** This fallback, applied only to failures that {@code predicate} accepts. */
  Fallback<T> when(Predicate<Throwable> predicate);
}
