package io.bulwark.telemetry;

import io.bulwark.core.context.Context;

/**
 * A span started by {@link Tracing}. A sampled-out span records nothing and costs (almost) nothing;
 * a recording span is exported through the OTel SDK when {@link #end()} is called. {@link
 * #context()} is the Bulwark context to bind for the work the span covers (and to send to child
 * calls). Not meant to be shared between threads while open; {@link #end()} is idempotent.
 */
public interface TelemetrySpan extends AutoCloseable {

  /** True if this span is sampled and recorded. */
  boolean isRecording();

  /** The context to run the covered work under: the parent with this span's trace ids. */
  Context context();

  /** Adds a named event to the span (ignored when not recording). */
  void event(String name);

  /** Marks the span failed with {@code error} (ignored when not recording). */
  void fail(Throwable error);

  /** Ends the span. */
  void end();

  @Override
  default void close() {
    end();
  }
}
