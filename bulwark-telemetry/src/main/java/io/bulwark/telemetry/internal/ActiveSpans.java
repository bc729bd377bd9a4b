package io.bulwark.telemetry.internal;

import io.opentelemetry.api.trace.Span;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The recording spans that are open right now, by span id. Decision events find their span here
 * from the span id in the current Bulwark context, on whatever thread they run; entries are removed
 * when the span ends, so the map holds only in-flight sampled spans. No thread-local state.
 */
public final class ActiveSpans {
  private final ConcurrentHashMap<String, Span> spans = new ConcurrentHashMap<>();

  public void add(String spanId, Span span) {
    spans.put(spanId, span);
  }

  public void remove(String spanId) {
    spans.remove(spanId);
  }

  public @Nullable Span get(String spanId) {
    return spans.get(spanId);
  }

  public int size() {
    return spans.size();
  }
}
