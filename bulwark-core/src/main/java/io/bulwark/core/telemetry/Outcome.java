package io.bulwark.core.telemetry;

import io.bulwark.core.error.DeadlineExceededException;
import io.bulwark.core.error.ErrorClassifier;
import io.bulwark.core.error.RejectedException;
import io.bulwark.core.error.TimeoutFailure;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * How one request ended, as the {@code outcome} label of the RED request counter. {@link #SUCCESS}
 * is good for availability SLIs; every other outcome counts against the error budget. {@link
 * #of(Throwable)} is the one rule that classifies a failure; every module records through it.
 */
public enum Outcome {
  /** The request completed normally. */
  SUCCESS,
  /** The request failed (exception, 5xx, fatal or retriable error after retries). */
  ERROR,
  /** The request hit its deadline or a timeout policy. */
  TIMEOUT,
  /** The request was rejected without being tried: shed, circuit open, limit or bulkhead full. */
  REJECTED;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The label value: the lowercase name. */
  public String label() {
    return label;
  }

  /** True for outcomes that spend error budget. */
  public boolean isBad() {
    return this != SUCCESS;
  }

  /**
   * How a call that ended with {@code failure} counts: {@code null} is {@link #SUCCESS}; after
   * looking through {@code CompletionException} and {@code ExecutionException} wrappers, a {@link
   * DeadlineExceededException}, a {@link TimeoutException} or a {@link TimeoutFailure} that says it
   * is a timeout is {@link #TIMEOUT}, a {@link RejectedException} is {@link #REJECTED}, anything
   * else is {@link #ERROR}. Pure and allocation-free.
   */
  public static Outcome of(@Nullable Throwable failure) {
    if (failure == null) {
      return SUCCESS;
    }
    Throwable t = ErrorClassifier.unwrap(failure);
    if (t instanceof TimeoutFailure marked && marked.isTimeout()) {
      return TIMEOUT;
    }
    return switch (t) {
      case DeadlineExceededException d -> TIMEOUT;
      case TimeoutException d -> TIMEOUT;
      case RejectedException r -> REJECTED;
      default -> ERROR;
    };
  }
}
