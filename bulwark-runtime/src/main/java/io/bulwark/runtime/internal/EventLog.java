package io.bulwark.runtime.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.runtime.RuntimeEvent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/** The runtime's recent events (a bounded ring) and their feed to the listeners. */
final class EventLog {
  static final int CAPACITY = 1_000;
  private final Clock clock;
  private final Listeners listeners;
  private final ArrayDeque<RuntimeEvent> ring = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();

  EventLog(Clock clock, Listeners listeners) {
    this.clock = clock;
    this.listeners = listeners;
  }

  void add(RuntimeEvent.Kind kind, String service, @Nullable String instance, String detail) {
    RuntimeEvent e = new RuntimeEvent(clock.wallMillis(), kind, service, instance, detail);
    lock.lock();
    try {
      if (ring.size() == CAPACITY) {
        ring.removeFirst();
      }
      ring.addLast(e);
    } finally {
      lock.unlock();
    }
    listeners.fire(l -> l.onEvent(e));
  }

  List<RuntimeEvent> snapshot() {
    lock.lock();
    try {
      return List.copyOf(ring);
    } finally {
      lock.unlock();
    }
  }
}
