package io.bulwark.data.partition;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A half-open range of ordered string keys {@code [start, end)} in {@link String#compareTo} order.
 * The empty string as start is the lowest key; a null end is "no upper bound". The constructor
 * rejects an {@code end} that is not after {@code start}.
 */
public record KeyRange(String start, @Nullable String end) {
  public KeyRange {
    Objects.requireNonNull(start, "start");
    if (end != null && end.compareTo(start) <= 0) {
      throw new IllegalArgumentException(
          "key range end '" + end + "' must be after start '" + start + "'");
    }
  }

  /** The whole key space. */
  public static KeyRange all() {
    return new KeyRange("", null);
  }

  public boolean contains(String key) {
    return key.compareTo(start) >= 0 && (end == null || key.compareTo(end) < 0);
  }

  @Override
  public String toString() {
    return "["
        + (start.isEmpty() ? "-∞" : "'" + start + "'")
        + ", "
        + (end == null ? "+∞" : "'" + end + "'")
        + ")";
  }
}
