package io.bulwark.events;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The headers of a record: an ordered map of string keys to string values (UTF-8 on the wire).
 * Context (trace, deadline, criticality, correlation id) travels here. Immutable.
 */
public final class Headers {
  private static final Headers EMPTY = new Headers(Map.of());

  private final Map<String, String> values;

  private Headers(Map<String, String> values) {
    this.values = values;
  }

  public static Headers empty() {
    return EMPTY;
  }

  /** Copies {@code values}; keys and values must be non-null, keys non-empty. */
  public static Headers of(Map<String, String> values) {
    if (values.isEmpty()) {
      return EMPTY;
    }
    Map<String, String> copy = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "header key");
          Objects.requireNonNull(v, () -> "value of header " + k);
          if (k.isEmpty()) {
            throw new IllegalArgumentException("header key must not be empty");
          }
          copy.put(k, v);
        });
    return new Headers(Collections.unmodifiableMap(copy));
  }

  /** A copy with {@code key} set to {@code value}. */
  public Headers with(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.put(key, value);
    return of(copy);
  }

  public @Nullable String get(String key) {
    return values.get(key);
  }

  public Map<String, String> asMap() {
    return values;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  public int size() {
    return values.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
