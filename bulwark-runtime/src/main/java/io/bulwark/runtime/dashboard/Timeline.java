package io.bulwark.runtime.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;

/** Everything that happened, newest last, bounded (the oldest entries fall off). */
final class Timeline {
  static final int CAPACITY = 1_000;

  record Entry(long seq, Instant at, String kind, String subject, String detail) {}

  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long seq;

  Timeline(Clock clock) {
    this.clock = clock;
  }

  void add(String kind, String subject, String detail) {
    add(clock.instant(), kind, subject, detail);
  }

  void add(Instant at, String kind, String subject, String detail) {
    lock.lock();
    try {
      entries.addLast(new Entry(++seq, at, kind, subject, detail));
      if (entries.size() > CAPACITY) {
        entries.removeFirst();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The newest {@code max} entries, newest first. */
  ArrayNode json(int max) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    lock.lock();
    try {
      Iterator<Entry> it = entries.descendingIterator();
      for (int i = 0; i < max && it.hasNext(); i++) {
        Entry e = it.next();
        ObjectNode n = out.addObject();
        n.put("seq", e.seq());
        n.put("at", e.at().toString());
        n.put("kind", e.kind());
        n.put("subject", e.subject());
        n.put("detail", e.detail());
      }
    } finally {
      lock.unlock();
    }
    return out;
  }
}
