package io.bulwark.gateway.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests in flight per snapshot, so that a reload can retire the clusters of an old snapshot once
 * the last request that started on it has ended. Thread-safe.
 */
final class InFlight {
  private final Map<Snapshot, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<Snapshot, Runnable> onDrained = new ConcurrentHashMap<>();

  void begin(Snapshot s) {
    counts.computeIfAbsent(s, k -> new AtomicLong()).incrementAndGet();
  }

  void end(Snapshot s) {
    AtomicLong c = counts.get(s);
    if (c != null && c.decrementAndGet() == 0) {
      Runnable r = onDrained.get(s);
      if (r != null && c.get() == 0 && onDrained.remove(s, r)) {
        counts.remove(s);
        r.run();
      }
    }
  }

  /** Runs {@code action} once no request of {@code s} is in flight (now, if none is). */
  void whenDrained(Snapshot s, Runnable action) {
    onDrained.put(s, action);
    AtomicLong c = counts.get(s);
    if ((c == null || c.get() == 0) && onDrained.remove(s, action)) {
      counts.remove(s);
      action.run();
    }
  }

  long of(Snapshot s) {
    AtomicLong c = counts.get(s);
    return c == null ? 0 : c.get();
  }
}
