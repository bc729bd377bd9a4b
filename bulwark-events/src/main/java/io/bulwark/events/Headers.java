package io.bulwark.events;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The headers of a record: an ordered map of unique, non-empty string keys to non-null string
 * values, UTF-8 on the wire. A key or value that UTF-8 cannot carry (an unpaired surrogate) is
 * rejected when the headers are built, so what a consumer reads is exactly what was sent, on every
 * backend. Context (trace, deadline, criticality, correlation id) travels here. Immutable.
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
          checkEncodable(k, v);
          copy.put(k, v);
        });
    return new Headers(Collections.unmodifiableMap(copy));
  }

  /**
   * Rejects a header name or value that UTF-8 cannot carry (an unpaired surrogate), which encoding
   * would otherwise silently replace with {@code '?'}.
   */
  static void checkEncodable(String key, String value) {
    int bad = unpairedSurrogate(key);
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "header name "
              + escaped(key)
              + " has an unpaired surrogate at index "
              + bad
              + "; header names and values travel as UTF-8");
    }
    bad = unpairedSurrogate(value);
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "value of header '"
              + key
              + "' has an unpaired surrogate at index "
              + bad
              + " ("
              + escaped(value)
              + "); header names and values travel as UTF-8");
    }
  }

  private static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static String escaped(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c) || Character.isISOControl(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
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
