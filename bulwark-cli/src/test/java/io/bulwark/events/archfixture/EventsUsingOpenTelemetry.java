package io.bulwark.events.archfixture;

import io.opentelemetry.api.trace.Span;

/** Fixture: an events class that talks to OpenTelemetry directly; the OTel rule must report it. */
public final class EventsUsingOpenTelemetry {
  private EventsUsingOpenTelemetry() {}

  static boolean recording() {
    return Span.current().isRecording();
  }
}
