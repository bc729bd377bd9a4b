package io.bulwark.core.telemetry;

import io.bulwark.core.context.Context;
import io.bulwark.core.context.TraceContext;
import java.util.concurrent.Callable;

/**
 * Starts spans whose parent is a Bulwark {@link Context} and whose result is a Bulwark context, so
 * trace ids travel with the {@code ScopedValue} context (across virtual-thread hops through {@link
 * Context#wrap}) and never through thread-local storage.
 *
 * <p>Every span has its own span id, recorded or not: a child of a parent that is not sampled, or
 * any span of {@link #disabled() disabled} tracing, is a sampled-out span with the parent's trace
 * id and flags and a fresh span id, made without any tracing SDK. So each hop sends its own span id
 * downstream (W3C parent/child semantics on the wire) even when nothing is exported. A root span
 * (no parent trace) is sampled by the implementation's sampler; with tracing disabled it stays
 * without a trace (a hop that records nothing does not invent a trace; the next hop that records
 * starts it). Implementations are thread-safe; the OpenTelemetry-backed one is {@code
 * BulwarkTelemetry#tracing()} in bulwark-telemetry.
 */
public interface Tracing {

  /**
   * Tracing that records nothing but still gives every span a fresh span id under its parent's
   * trace: what components use when no telemetry is configured.
   */
  static Tracing disabled() {
    return DisabledTracing.INSTANCE;
  }

  /** Starts a span of {@code kind} under {@code parent}. */
  TelemetrySpan startSpan(String name, SpanKind kind, Context parent);

  /**
   * Starts a span of {@code kind} under {@code parent} with a link to {@code linked}, a span of
   * another request or trace that caused this one (e.g. the producer of a consumed record).
   */
  TelemetrySpan startSpan(String name, SpanKind kind, Context parent, TraceContext linked);

  /**
   * False when a span under {@code parent} is certain not to record, so that a caller can skip
   * building its name and attributes.
   */
  boolean mayRecord(Context parent);

  /** Recording spans that are open now (for leak checks in tests and the dashboard). */
  int openSpans();

  /** Starts an internal span under the current context. */
  default TelemetrySpan startSpan(String name) {
    return startSpan(name, SpanKind.INTERNAL, Context.current());
  }

  /**
   * Runs {@code work} in a new internal span bound as the current context; the span ends when the
   * work returns or throws (and is marked failed if it throws).
   */
  default <T> T inSpan(String name, Callable<T> work) throws Exception {
    try (TelemetrySpan span = startSpan(name)) {
      try {
        return span.context().call(work);
      } catch (Exception | Error e) {
        span.fail(e);
        throw e;
      }
    }
  }
}
