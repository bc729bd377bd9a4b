package io.bulwark.http.internal;

import io.bulwark.core.context.ContextHeaders;
import io.bulwark.core.context.CorrelationIds;
import io.bulwark.core.context.MalformedHeaderException;
import io.bulwark.core.telemetry.Tracing;
import io.bulwark.http.HttpProblem;
import io.bulwark.http.RequestOutcome;

/**
 * Builds the request's context: restores the caller's from the request headers ({@code
 * traceparent}, {@code baggage}, {@code bulwark-deadline}, {@code bulwark-criticality}, {@code
 * bulwark-correlation-id}), gives it a correlation id if it has none and, except on system routes,
 * opens the request's {@code SERVER} span under it. A malformed context header gets 400 naming it.
 */
final class ContextStage implements Stage {
  private final ContextHeaders headers;
  private final Tracing tracing;

  ContextStage(ContextHeaders headers, Tracing tracing) {
    this.headers = headers;
    this.tracing = tracing;
  }

  @Override
  public boolean pass(Exchange ex) {
    try {
      ex.context = headers.extract(ex);
    } catch (MalformedHeaderException e) {
      ex.context = ex.context.withCorrelationId(CorrelationIds.newId());
      ex.refuse(
          HttpProblem.of(400, "malformed_header", String.valueOf(e.getMessage())),
          RequestOutcome.REJECTED);
      return false;
    }
    if (ex.system) {
      if (ex.context.correlationId() == null) {
        ex.context = ex.context.withCorrelationId(CorrelationIds.newId());
      }
    } else {
      ex.startSpan(tracing, ex.match); // gives a new correlation id with the span's trace
    }
    return true;
  }
}
