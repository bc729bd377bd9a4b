package io.bulwark.telemetry.internal;

import io.bulwark.core.time.Clock;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link RecordedSpan} goes: registered in {@link ActiveSpans} while open; when it ends,
 * removed, handed to each configured span processor that wants ended spans ({@code onEnd}, on the
 * ending thread, in the configured order, as the SDK does) and offered to the {@link SpanBatcher}
 * (never blocks; counted as dropped when full). Times are epoch nanos of the telemetry clock, read
 * as the SDK reads {@link OtelClock}. A processor that throws is skipped: telemetry never breaks
 * the caller. Thread-safe (immutable).
 */
public final class SpanPipeline {
  private static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.create("io.bulwark.telemetry");

  private final OtelClock clock;
  private final Resource resource;
  private final ActiveSpans active;
  private final SpanProcessor[] endProcessors;
  private final @Nullable SpanBatcher batcher;

  public SpanPipeline(
      Clock clock,
      Resource resource,
      ActiveSpans active,
      List<SpanProcessor> processors,
      @Nullable SpanBatcher batcher) {
    this.clock = new OtelClock(clock);
    this.resource = resource;
    this.active = active;
    this.endProcessors =
        processors.stream().filter(SpanProcessor::isEndRequired).toArray(SpanProcessor[]::new);
    this.batcher = batcher;
  }

  long nowEpochNanos() {
    return clock.now();
  }

  Resource resource() {
    return resource;
  }

  InstrumentationScopeInfo scope() {
    return SCOPE;
  }

  void started(RecordedSpan span) {
    active.add(span);
  }

  void ended(RecordedSpan span) {
    active.remove(span);
    for (SpanProcessor p : endProcessors) {
      try {
        p.onEnd(span);
      } catch (RuntimeException e) {
        // Contract: telemetry never breaks the caller.
      }
    }
    if (batcher != null) {
      batcher.offer(span);
    }
  }
}
