package io.bulwark.core.context;

import java.util.Locale;

/**
 * How much a request matters when there is not enough capacity for all of them. Under overload
 * Bulwark sheds {@link #SHEDDABLE} first and {@link #CRITICAL_PLUS} last. The default for a request
 * that says nothing is {@link #CRITICAL}.
 */
public enum Criticality {
  /** Must not fail: the user is waiting and there is no fallback (checkout, payment). */
  CRITICAL_PLUS,
  /** The default for user-facing traffic. */
  CRITICAL,
  /** Can fail with some cost: prefetching, non-essential widgets. */
  SHEDDABLE_PLUS,
  /** Can fail freely: batch jobs, retries of background work, analytics. */
  SHEDDABLE;

  private static final Criticality[] VALUES = values();

  /** The value carried in the {@code bulwark-criticality} header. */
  public String headerValue() {
    return name();
  }

  /** True if this request should be shed before {@code other} under overload. */
  public boolean isLessCriticalThan(Criticality other) {
    return compareTo(other) > 0;
  }

  /**
   * Parses a header value, case-insensitively.
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static Criticality parse(String value) {
    String upper = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Criticality c : VALUES) {
      if (c.name().equals(upper)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown criticality \""
            + value
            + "\", expected one of "
            + java.util.Arrays.toString(VALUES));
  }
}
