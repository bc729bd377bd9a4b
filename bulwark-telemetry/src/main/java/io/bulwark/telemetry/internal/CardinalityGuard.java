package io.bulwark.telemetry.internal;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Bounds the number of distinct label values one dimension may take. The first {@code limit} names
 * get their own value; later names all share the overflow value (name {@value #OVERFLOW_NAME}), and
 * each refused name is counted. Lookups of known names are one map read.
 */
public final class CardinalityGuard<T> {
  public static final String OVERFLOW_NAME = "_overflow";

  private final ConcurrentHashMap<String, T> values = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int limit;
  private final Function<String, T> factory;
  private final T overflow;
  private final LongAdder refused = new LongAdder();

  public CardinalityGuard(int limit, Function<String, T> factory) {
    this.limit = limit;
    this.factory = factory;
    this.overflow = factory.apply(OVERFLOW_NAME);
  }

  public T get(String name) {
    T existing = values.get(name);
    if (existing != null) {
      return existing;
    }
    if (size.get() >= limit) {
      refused.increment();
      return overflow;
    }
    T created =
        values.computeIfAbsent(
            name,
            n -> {
              if (size.incrementAndGet() > limit) {
                size.decrementAndGet();
                return null;
              }
              return factory.apply(n);
            });
    if (created == null) {
      refused.increment();
      return overflow;
    }
    return created;
  }

  /** Visits each named value (without the overflow value). */
  public void forEach(java.util.function.BiConsumer<String, T> action) {
    values.forEach(action);
  }

  /** The named values (without the overflow value). */
  public Collection<T> values() {
    return values.values();
  }

  public T overflow() {
    return overflow;
  }

  /** How many lookups were sent to the overflow value. */
  public long refusedLookups() {
    return refused.sum();
  }
}
