package io.bulwark.core.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import org.jspecify.annotations.Nullable;

/**
 * A span that was not sampled: nothing is recorded, and its work runs under the parent context with
 * the span's own trace. That context is made on the first {@link #context()} call and kept: a
 * caller that only needs the span's {@link #trace()} (an HTTP server building the request's context
 * once) never pays for it. A race builds two equal contexts; either one is the span's. Immutable
 * otherwise; thread-safe.
 */
final class SampledOutSpan implements TelemetrySpan {
  static final TelemetrySpan NONE = new SampledOutSpan(Context.root());

  private final Context parent;
  private final @Nullable TraceContext trace;
  private @Nullable Context context;

  /** A span whose work runs under {@code context} as it is. */
  SampledOutSpan(Context context) {
    this.parent = context;
    this.trace = context.trace();
    this.context = context;
  }

  /** A span under {@code parent} whose own trace is {@code trace} (null: the parent's, if any). */
  SampledOutSpan(Context parent, @Nullable TraceContext trace) {
    this.parent = parent;
    this.trace = trace;
  }

  @Override
  public boolean isRecording() {
    return false;
  }

  @Override
  public Context context() {
    Context c = context;
    if (c == null) {
      c = trace == null ? parent : parent.withTrace(trace);
      context = c;
    }
    return c;
  }

  @Override
  public @Nullable TraceContext trace() {
    return trace;
  }

  @Override
  public void event(String name) {}

  @Override
  public void fail(Throwable error) {}

  @Override
  public void fail(String description) {}

  @Override
  public void attribute(String key, String value) {}

  @Override
  public void attribute(String key, long value) {}

  @Override
  public void end() {}

  @Override
  public String toString() {
    return "SampledOutSpan[" + context() + "]";
  }
}
