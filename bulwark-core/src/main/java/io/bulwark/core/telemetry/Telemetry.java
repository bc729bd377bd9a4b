package io.bulwark.core.telemetry;

import java.util.Optional;

/**
 * Where a Bulwark component reports what it does: RED recorders for the endpoints it serves and the
 * dependencies it calls, {@link Decisions} for the decisions it takes and {@link Tracing} for
 * spans. Libraries (HTTP, events, resilience listeners) take this interface, so that using them
 * brings no telemetry SDK; an application that wants metrics and traces passes the
 * OpenTelemetry-backed {@code BulwarkTelemetry} of bulwark-telemetry, and {@link #noop()}
 * otherwise.
 *
 * <p>Contract for implementations: thread-safe; recorders are obtained once and kept by the caller,
 * recording never throws.
 */
public interface Telemetry {

  /**
   * Telemetry that records nothing: recorders are no-ops, decisions are dropped and tracing is
   * {@link Tracing#disabled()} (every hop still gets its own span id); it has no {@link #scrape()}.
   */
  static Telemetry noop() {
    return NoopTelemetry.INSTANCE;
  }

  /**
   * The RED recorder of one server endpoint (a route, an RPC method, an event handler).
   *
   * @throws IllegalArgumentException if {@code name} is empty, longer than 128 characters or
   *     contains control characters
   */
  RedRecorder endpoint(String name);

  /**
   * The RED recorder of one downstream dependency (a service, a database, a broker).
   *
   * @throws IllegalArgumentException if {@code name} is empty, longer than 128 characters or
   *     contains control characters
   */
  RedRecorder dependency(String name);

  /** Where decisions are recorded. */
  Decisions decisions();

  /** Where spans are started. */
  Tracing tracing();

  /** The metrics for a pull endpoint, or empty when this telemetry keeps none to expose. */
  default Optional<MetricsScrape> scrape() {
    return Optional.empty();
  }

  /**
   * Checks an endpoint or dependency name as {@link #endpoint(String)} documents; {@code what}
   * names the kind in the error ({@code "endpoint"} or {@code "dependency"}).
   *
   * @return {@code name}
   */
  static String checkName(String what, String name) {
    if (name.isEmpty() || name.length() > 128) {
      throw new IllegalArgumentException(
          what + " name must be 1 to 128 characters, was \"" + name + "\"");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new IllegalArgumentException(
            what + " name must not contain control characters, was \"" + name + "\"");
      }
    }
    return name;
  }
}
