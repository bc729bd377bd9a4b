package io.bulwark.telemetry.slo;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One multi-window burn-rate alert: it fires when the error budget burns faster than {@code
 * burnRate} times the sustainable rate over BOTH the long and the short window (the short window
 * makes it clear quickly once the burning stops).
 *
 * @param severity page or ticket
 * @param burnRate the burn-rate threshold (1 = exactly spending the budget over the SLO window)
 * @param longWindow the long window
 * @param shortWindow the short window, shorter than the long one
 */
public record BurnRateAlert(
    Severity severity, double burnRate, Duration longWindow, Duration shortWindow) {

  /** Who gets told. */
  public enum Severity {
    PAGE,
    TICKET;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public BurnRateAlert {
    if (!(burnRate > 0) || Double.isInfinite(burnRate)) {
      throw new IllegalArgumentException("burnRate must be positive and finite, was " + burnRate);
    }
    if (shortWindow.isNegative() || shortWindow.isZero()) {
      throw new IllegalArgumentException("shortWindow must be positive, was " + shortWindow);
    }
    if (shortWindow.compareTo(longWindow) >= 0) {
      throw new IllegalArgumentException(
          "shortWindow " + shortWindow + " must be shorter than longWindow " + longWindow);
    }
  }

  /**
   * The Google SRE workbook defaults for a 30-day SLO: page at 14.4x over 1h and 5m (2% of the
   * budget in an hour), page at 6x over 6h and 30m (5% in six hours), ticket at 1x over 3d and 6h
   * (10% in three days).
   */
  public static List<BurnRateAlert> sreWorkbookDefaults() {
    return List.of(
        new BurnRateAlert(Severity.PAGE, 14.4, Duration.ofHours(1), Duration.ofMinutes(5)),
        new BurnRateAlert(Severity.PAGE, 6, Duration.ofHours(6), Duration.ofMinutes(30)),
        new BurnRateAlert(Severity.TICKET, 1, Duration.ofDays(3), Duration.ofHours(6)));
  }

  /** A stable id such as {@code page-1h-5m}. */
  public String id() {
    return severity.label()
        + "-"
        + PromDurations.format(longWindow)
        + "-"
        + PromDurations.format(shortWindow);
  }
}
