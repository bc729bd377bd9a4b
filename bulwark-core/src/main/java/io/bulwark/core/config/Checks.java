package io.bulwark.core.config;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The validators every config builder and binder of Bulwark uses, so that a bad value reads the
 * same in every module. Each check takes the field's name first and returns the value it accepted;
 * a rejected value throws {@link IllegalArgumentException} (a null one {@link
 * NullPointerException}) whose message is {@code <field> must <rule>, was <value>}, e.g. {@code
 * maxAttempts must be positive, was 0}. {@link ConfigReader} puts the file and line in front.
 *
 * <p>Doubles must be finite: NaN and infinities fail every check. Stateless and thread-safe.
 */
public final class Checks {
  private Checks() {}

  /** {@code value > 0}. */
  public static int positive(String field, int value) {
    if (value <= 0) {
      throw fail(field, "be positive", value);
    }
    return value;
  }

  /** {@code value > 0}. */
  public static long positive(String field, long value) {
    if (value <= 0) {
      throw fail(field, "be positive", value);
    }
    return value;
  }

  /** {@code value > 0} and finite. */
  public static double positive(String field, double value) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw fail(field, "be positive", value);
    }
    return value;
  }

  /** Not null, longer than zero. */
  public static Duration positive(String field, @Nullable Duration value) {
    Duration d = notNull(field, value);
    if (d.isNegative() || d.isZero()) {
      throw fail(field, "be positive", d);
    }
    return d;
  }

  /** {@code value >= 0}. */
  public static int notNegative(String field, int value) {
    if (value < 0) {
      throw fail(field, "not be negative", value);
    }
    return value;
  }

  /** {@code value >= 0}. */
  public static long notNegative(String field, long value) {
    if (value < 0) {
      throw fail(field, "not be negative", value);
    }
    return value;
  }

  /** {@code value >= 0} and finite. */
  public static double notNegative(String field, double value) {
    if (!(value >= 0) || !Double.isFinite(value)) {
      throw fail(field, "not be negative", value);
    }
    return value;
  }

  /** Not null, zero or longer. */
  public static Duration notNegative(String field, @Nullable Duration value) {
    Duration d = notNull(field, value);
    if (d.isNegative()) {
      throw fail(field, "not be negative", d);
    }
    return d;
  }

  /** {@code value >= min}. */
  public static int atLeast(String field, int value, int min) {
    if (value < min) {
      throw fail(field, "be at least " + min, value);
    }
    return value;
  }

  /** {@code value >= min} and finite. */
  public static double atLeast(String field, double value, double min) {
    if (!(value >= min) || !Double.isFinite(value)) {
      throw fail(field, "be at least " + min, value);
    }
    return value;
  }

  /** {@code low <= value <= high}. */
  public static int inRange(String field, int value, int low, int high) {
    if (value < low || value > high) {
      throw fail(field, "be in [" + low + ", " + high + "]", value);
    }
    return value;
  }

  /** {@code low <= value <= high} (so finite). */
  public static double inRange(String field, double value, double low, double high) {
    if (!(value >= low && value <= high)) {
      throw fail(field, "be in [" + low + ", " + high + "]", value);
    }
    return value;
  }

  /** A fraction in {@code [0, 1]}. */
  public static double fraction(String field, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw fail(field, "be in [0, 1]", value);
    }
    return value;
  }

  /** A fraction in {@code (0, 1]}: zero is not allowed. */
  public static double positiveFraction(String field, double value) {
    if (!(value > 0 && value <= 1)) {
      throw fail(field, "be in (0, 1]", value);
    }
    return value;
  }

  /** A percentage in {@code (0, 100]}. */
  public static double percent(String field, double value) {
    if (!(value > 0 && value <= 100)) {
      throw fail(field, "be in (0, 100] percent", value);
    }
    return value;
  }

  /** Not null and not blank; the message quotes the value. */
  public static String notBlank(String field, @Nullable String value) {
    String s = notNull(field, value);
    if (s.isBlank()) {
      throw fail(field, "not be blank", "\"" + s + "\"");
    }
    return s;
  }

  /** Not null; the message is {@code <field> must not be null}. */
  public static <T> T notNull(String field, @Nullable T value) {
    if (value == null) {
      throw new NullPointerException(field + " must not be null");
    }
    return value;
  }

  private static IllegalArgumentException fail(String field, String rule, Object value) {
    Objects.requireNonNull(field, "field");
    return new IllegalArgumentException(field + " must " + rule + ", was " + value);
  }
}
