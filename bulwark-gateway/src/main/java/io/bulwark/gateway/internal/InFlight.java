package io.bulwark.gateway.internal;

/**
 * Requests in flight per snapshot, so that a reload can retire the clusters of an old snapshot once
 * the last request that started on it has ended. Thread-safe.
 */
final class InFlight {
  // the count and the drain action live on the snapshot itself: no map lookup per request

  void begin(Snapshot s) {
    s.inFlight.incrementAndGet();
  }

  void end(Snapshot s) {
    if (s.inFlight.decrementAndGet() == 0) {
      Runnable r = s.onDrained.get();
      if (r != null && s.inFlight.get() == 0 && s.onDrained.compareAndSet(r, null)) {
        r.run();
      }
    }
  }

  /** Runs {@code action} once no request of {@code s} is in flight (now, if none is). */
  void whenDrained(Snapshot s, Runnable action) {
    s.onDrained.set(action);
    if (s.inFlight.get() == 0 && s.onDrained.compareAndSet(action, null)) {
      action.run();
    }
  }

  long of(Snapshot s) {
    return s.inFlight.get();
  }
}
