package io.bulwark.core.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses durations as people write them in config: {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code
 * 5m}, {@code 1h}, {@code 3d}, {@code 100us}, {@code 10ns}, or ISO-8601 ({@code PT0.5S}).
 */
public final class Durations {
  private Durations() {}

  /**
   * Parses a duration written as {@code 250ms}, {@code 2s}, {@code 1.5m}, {@code 1h}, {@code 3d},
   * {@code 100us} or ISO-8601 ({@code PT0.5S}).
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("pt") || t.startsWith("p")) {
      try {
        return Duration.parse(text.strip());
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    int unitStart = 0;
    while (unitStart < t.length()
        && (Character.isDigit(t.charAt(unitStart)) || t.charAt(unitStart) == '.')) {
      unitStart++;
    }
    if (unitStart == 0 || unitStart == t.length()) {
      throw invalid(text);
    }
    BigDecimal amount;
    try {
      amount = new BigDecimal(t.substring(0, unitStart));
    } catch (NumberFormatException e) {
      throw invalid(text);
    }
    long nanosPerUnit =
        switch (t.substring(unitStart).strip()) {
          case "ns" -> 1L;
          case "us" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          case "d" -> 86_400_000_000_000L;
          default -> throw invalid(text);
        };
    BigDecimal nanos = amount.multiply(BigDecimal.valueOf(nanosPerUnit));
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("duration \"" + text + "\" is too long");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "expected a duration such as 250ms, 2s, 1.5m, 1h, 3d or PT0.5S, got \"" + text + "\"");
  }
}
