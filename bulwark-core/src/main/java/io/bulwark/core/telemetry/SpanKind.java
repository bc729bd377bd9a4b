package io.bulwark.core.telemetry;

/**
 * The role of a span in a trace, with the meaning OpenTelemetry gives it; the OpenTelemetry-backed
 * {@link Tracing} maps each constant onto the SDK's kind of the same name.
 */
public enum SpanKind {
  /** Work inside one process. */
  INTERNAL,
  /** The handling of a request that came from another process (an HTTP server request). */
  SERVER,
  /** A request to another process (one attempt of an HTTP client call). */
  CLIENT,
  /** The sending of a message that is processed later (a produced record). */
  PRODUCER,
  /** The processing of a received message (a consumed record). */
  CONSUMER
}
