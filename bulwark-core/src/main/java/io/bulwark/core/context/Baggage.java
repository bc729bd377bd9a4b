package io.bulwark.core.context;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * W3C baggage: application key/value pairs that travel with a request across every hop (the chaos
 * cohort, a tenant, a feature flag). Immutable; insertion order is kept so the header round-trips.
 *
 * <p>Keys are W3C tokens; values are any string (percent-encoded on the wire). Limits follow the
 * W3C recommendation: at most {@value #MAX_ENTRIES} entries.
 */
public final class Baggage {
  public static final int MAX_ENTRIES = 64;
  private static final Baggage EMPTY = new Baggage(Map.of());

  private final Map<String, String> entries;

  private Baggage(Map<String, String> entries) {
    this.entries = entries;
  }

  public static Baggage empty() {
    return EMPTY;
  }

  /** Baggage with the given entries, in their iteration order. */
  public static Baggage of(Map<String, String> entries) {
    Baggage result = EMPTY;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      result = result.with(e.getKey(), e.getValue());
    }
    return result;
  }

  /** The value under {@code key}, or null. */
  public @Nullable String get(String key) {
    return entries.get(key);
  }

  /** This baggage with {@code key} set to {@code value} (replacing any earlier value). */
  public Baggage with(String key, String value) {
    if (!BaggageCodec.isToken(key)) {
      throw new IllegalArgumentException("baggage key \"" + key + "\" is not a valid W3C token");
    }
    if (!entries.containsKey(key) && entries.size() >= MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "baggage holds at most " + MAX_ENTRIES + " entries; cannot add \"" + key + "\"");
    }
    LinkedHashMap<String, String> copy = new LinkedHashMap<>(entries);
    copy.put(key, value);
    return new Baggage(Collections.unmodifiableMap(copy));
  }

  /** This baggage without {@code key}. */
  public Baggage without(String key) {
    if (!entries.containsKey(key)) {
      return this;
    }
    LinkedHashMap<String, String> copy = new LinkedHashMap<>(entries);
    copy.remove(key);
    return new Baggage(Collections.unmodifiableMap(copy));
  }

  /** An unmodifiable view of the entries, in order. */
  public Map<String, String> asMap() {
    return entries;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Baggage b && b.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "Baggage" + entries;
  }
}
