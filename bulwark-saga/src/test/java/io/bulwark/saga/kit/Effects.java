package io.bulwark.saga.kit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What workflow code did, counted from the outside: how often each named effect ran and in which
 * order. A kit test asserts these counts (a completed step that runs again shows up as a count of
 * 2), so "not run again" is measured, not assumed. Thread-safe.
 */
public final class Effects {
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<String> order = new CopyOnWriteArrayList<>();

  /** Records one run of {@code effect}; returns how often it ran so far (1 on the first). */
  public int record(String effect) {
    order.add(effect);
    return counts.computeIfAbsent(effect, k -> new AtomicInteger()).incrementAndGet();
  }

  /** How often {@code effect} ran. */
  public int count(String effect) {
    AtomicInteger n = counts.get(effect);
    return n == null ? 0 : n.get();
  }

  /** Every recorded effect in order. */
  public List<String> order() {
    return List.copyOf(order);
  }

  /** The recorded effects that start with {@code prefix}, in order. */
  public List<String> order(String prefix) {
    return order.stream().filter(e -> e.startsWith(prefix)).toList();
  }
}
