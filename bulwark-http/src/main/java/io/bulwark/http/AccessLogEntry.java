package io.bulwark.http;

import io.bulwark.core.context.Criticality;
import org.jspecify.annotations.Nullable;

/**
 * One line of the access log: what was asked, what was answered, how long it took.
 *
 * @param route the matched route template, or {@code "-"} if none matched
 * @param outcome how the server ended the request
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
    RequestOutcome outcome) {}
