package io.bulwark.saga;

import java.util.Map;
import java.util.Optional;

/**
 * A run's small durable state: JSON values under names, written with the next checkpoint (or at
 * once when written outside a step) and shown by the visibility API. The total size counts against
 * the engine's payload limit.
 */
public interface RunState {
  <T> Optional<T> get(String key, Class<T> type);

  /** Sets {@code key} to {@code value} (mapped to JSON); null removes it. */
  void put(String key, @org.jspecify.annotations.Nullable Object value);

  /** Every entry as its JSON text. */
  Map<String, String> asJson();
}
