package io.bulwark.telemetry.internal;

import io.opentelemetry.api.common.Attributes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The recording spans that are open right now, by span id. Decision events find their span here
 * from the span id in the current Bulwark context, on whatever thread they run; a span is removed
 * when it ends, so only in-flight sampled spans are held. No thread-local state.
 *
 * <p>Design notes: the hot path (one add and one remove per recorded span) must not allocate and
 * must not contend. A span goes into a fixed table of {@value #SLOTS} slots, at the first free slot
 * of up to {@value #PROBES} probed from its (random) span id, claimed with one CAS and released by
 * the same span with one CAS; only when all probed slots are taken does it go into an overflow map
 * (boxed key). A slot is only ever cleared by the span that holds it, so {@link #remove} finds the
 * span where {@link #add} put it. {@link #get} compares span ids, so a stale read can only miss a
 * span that is being added or removed at that moment (as a map lookup could). {@link #size} counts
 * the table and the map; it is exact when no span starts or ends meanwhile.
 */
public final class ActiveSpans {
  /** An open span that decision events can be added to. */
  public interface OpenSpan {
    /** The span id as a number (its 16 hex digits). */
    long spanIdBits();

    /** Adds an event with attributes, stamped now; ignored once the span has ended. */
    void addEvent(String name, Attributes attributes);
  }

  static final int SLOTS = 4096;
  static final int PROBES = 8;
  private static final int MASK = SLOTS - 1;

  private final AtomicReferenceArray<@Nullable OpenSpan> slots = new AtomicReferenceArray<>(SLOTS);
  private final ConcurrentHashMap<Long, OpenSpan> overflow = new ConcurrentHashMap<>();

  public void add(OpenSpan span) {
    int home = index(span.spanIdBits());
    for (int p = 0; p < PROBES; p++) {
      int i = (home + p) & MASK;
      if (slots.get(i) == null && slots.compareAndSet(i, null, span)) {
        return;
      }
    }
    overflow.put(span.spanIdBits(), span);
  }

  public void remove(OpenSpan span) {
    int home = index(span.spanIdBits());
    for (int p = 0; p < PROBES; p++) {
      int i = (home + p) & MASK;
      if (slots.get(i) == span && slots.compareAndSet(i, span, null)) {
        return;
      }
    }
    overflow.remove(span.spanIdBits(), span);
  }

  /** The open span with this span id (its 64 bits), or null. */
  public @Nullable OpenSpan get(long id) {
    int home = index(id);
    for (int p = 0; p < PROBES; p++) {
      OpenSpan s = slots.get((home + p) & MASK);
      if (s != null && s.spanIdBits() == id) {
        return s;
      }
    }
    return overflow.get(id);
  }

  public int size() {
    int n = overflow.size();
    for (int i = 0; i < SLOTS; i++) {
      if (slots.get(i) != null) {
        n++;
      }
    }
    return n;
  }

  private static int index(long spanId) {
    return (int) (spanId ^ (spanId >>> 32)) & MASK;
  }
}
