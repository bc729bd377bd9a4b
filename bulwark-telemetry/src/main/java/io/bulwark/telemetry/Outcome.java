package io.bulwark.telemetry;

import java.util.Locale;

/**
 * How one request ended, as the {@code outcome} label of the RED request counter. {@link #SUCCESS}
 * is good for availability SLIs; every other outcome counts against the error budget.
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
}
