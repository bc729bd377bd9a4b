package io.bulwark.telemetry.internal;

import io.bulwark.core.context.Context;
import io.bulwark.core.telemetry.TelemetrySpan;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;

/** The recording {@link TelemetrySpan} of {@link OtelTracing} (spans made by the SDK's tracer). */
public final class SpanHandles {
  private SpanHandles() {}

  /** A sampled OTel span, registered in {@link ActiveSpans} until it ends. */
  public static final class Recording implements TelemetrySpan, ActiveSpans.OpenSpan {
    private final Span span;
    private final Context context;
    private final ActiveSpans active;
    private final long spanId;
    private final AtomicBoolean ended = new AtomicBoolean();

    public Recording(Span span, Context context, String spanId, ActiveSpans active) {
      this.span = span;
      this.context = context;
      this.spanId = HexFormat.fromHexDigitsToLong(spanId);
      this.active = active;
      active.add(this);
    }

    @Override
    public long spanIdBits() {
      return spanId;
    }

    @Override
    public void addEvent(String name, Attributes attributes) {
      span.addEvent(name, attributes);
    }

    @Override
    public boolean isRecording() {
      return true;
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public void event(String name) {
      span.addEvent(name);
    }

    @Override
    public void fail(Throwable error) {
      span.recordException(error);
      span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    }

    @Override
    public void fail(String description) {
      span.setStatus(StatusCode.ERROR, description);
    }

    @Override
    public void attribute(String key, String value) {
      span.setAttribute(key, value);
    }

    @Override
    public void attribute(String key, long value) {
      span.setAttribute(key, value);
    }

    @Override
    public void end() {
      if (ended.compareAndSet(false, true)) {
        active.remove(this);
        span.end();
      }
    }
  }
}
