package io.bulwark.core.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A span started by {@link Tracing}. A sampled-out span records nothing and costs (almost) nothing;
 * a recording span is exported by the telemetry implementation when {@link #end()} is called.
 * {@link #context()} is the Bulwark context to bind for the work the span covers (and to send to
 * child calls). Not meant to be shared between threads while open; {@link #end()} is idempotent.
 */
public interface TelemetrySpan extends AutoCloseable {

  /** True if this span is sampled and recorded. */
  boolean isRecording();

  /** The context to run the covered work under: the parent with this span's trace ids. */
  Context context();

  /**
   * This span's trace context (its own span id under the parent's trace): the trace of {@link
   * #context()}, without making that context where the span does not need one otherwise. Null only
   * for a span without a trace (a root span of disabled tracing).
   */
  default @Nullable TraceContext trace() {
    return context().trace();
  }

  /** Adds a named event to the span (ignored when not recording). */
  void event(String name);

  /** Marks the span failed with {@code error} (ignored when not recording). */
  void fail(Throwable error);

  /**
   * Marks the span failed with a description, for an outcome that threw nothing, such as an HTTP
   * 503 answer (ignored when not recording).
   */
  void fail(String description);

  /** Sets a string attribute (ignored when not recording). */
  void attribute(String key, String value);

  /** Sets a whole-number attribute (ignored when not recording). */
  void attribute(String key, long value);

  /** Ends the span. */
  void end();

  /** A span that records nothing, under the root context; for work that has no span. */
  static TelemetrySpan none() {
    return SampledOutSpan.NONE;
  }

  /**
   * A span that records nothing and whose work runs under {@code context}: what {@link Tracing}
   * returns for a span that is not sampled.
   */
  static TelemetrySpan sampledOut(Context context) {
    return new SampledOutSpan(Objects.requireNonNull(context, "context"));
  }

  /**
   * A span that records nothing, under {@code parent}, whose own trace is {@code trace} (null: the
   * parent's, if any): its {@link #context()} is {@code parent} with that trace, made only when
   * asked for. What {@link Tracing} returns for a span that is not sampled.
   */
  static TelemetrySpan sampledOut(Context parent, @Nullable TraceContext trace) {
    return new SampledOutSpan(Objects.requireNonNull(parent, "parent"), trace);
  }

  @Override
  default void close() {
    end();
  }
}
