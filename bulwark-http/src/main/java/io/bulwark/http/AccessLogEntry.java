package io.bulwark.http;

import io.bulwark.core.context.Criticality;
import org.jspecify.annotations.Nullable;

/**
 * One line of the access log: what was asked, what was answered, how long it took.
 *
 * @param route the matched route template, or {@code "-"} if none matched
 * @param outcome how the server ended the request
 * @param chaosCohort the request's chaos cohort ({@code io.bulwark.core.fault.ChaosCohort}), null
 *     while no chaos fault is active
 */
public record AccessLogEntry(
    String method,
    String path,
    String route,
    int status,
    long durationNanos,
    long bytesIn,
    @Nullable String correlationId,
    Criticality criticality,
    RequestOutcome outcome,
    @Nullable String chaosCohort) {

  /** An entry of a request served while no chaos fault was active (no cohort). */
  public AccessLogEntry(
      String method,
      String path,
      String route,
      int status,
      long durationNanos,
      long bytesIn,
      @Nullable String correlationId,
      Criticality criticality,
      RequestOutcome outcome) {
    this(
        method,
        path,
        route,
        status,
        durationNanos,
        bytesIn,
        correlationId,
        criticality,
        outcome,
        null);
  }
}
