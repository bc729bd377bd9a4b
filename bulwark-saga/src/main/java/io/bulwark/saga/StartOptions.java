package io.bulwark.saga;

import io.bulwark.core.context.Context;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a run starts: its queue (default: the definition's), its priority in the queue (higher first,
 * default 0), its concurrency key (runs with the same key count against the queue's per-key limit)
 * and the context it runs under (default: the caller's current context).
 */
public record StartOptions(
    @Nullable String queue,
    int priority,
    @Nullable String concurrencyKey,
    @Nullable Context context) {
  public StartOptions {
    if (queue != null) {
      Names.check("queue", queue);
    }
    if (concurrencyKey != null && (concurrencyKey.isEmpty() || concurrencyKey.length() > 256)) {
      throw new IllegalArgumentException(
          "concurrency key must be 1 to 256 characters, got " + concurrencyKey.length());
    }
  }

  /** The defaults. */
  public static StartOptions defaults() {
    return new StartOptions(null, 0, null, null);
  }

  public StartOptions withQueue(String queue) {
    return new StartOptions(
        Objects.requireNonNull(queue, "queue"), priority, concurrencyKey, context);
  }

  public StartOptions withPriority(int priority) {
    return new StartOptions(queue, priority, concurrencyKey, context);
  }

  public StartOptions withConcurrencyKey(String key) {
    return new StartOptions(queue, priority, Objects.requireNonNull(key, "key"), context);
  }

  public StartOptions withContext(Context context) {
    return new StartOptions(
        queue, priority, concurrencyKey, Objects.requireNonNull(context, "context"));
  }
}
