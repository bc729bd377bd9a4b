package io.bulwark.http;

import java.util.Locale;

/**
 * How the server ended one request, as reported in {@link AccessLogEntry#outcome()}. Exactly one
 * per request; decided by the server where it answers, never derived from strings or statuses after
 * the fact.
 */
public enum RequestOutcome {
  /** The handler's answer was sent (any status the handler chose, 5xx included). */
  OK,
  /** The handler failed (5xx problem, an exception, a dependency refusing the call). */
  ERROR,
  /** Load shedding or shutdown refused the request before its handler ran (503). */
  SHED,
  /** The request's deadline passed, before or while its handler ran (504). */
  DEADLINE,
  /** The request was refused as bad input: framing, headers, body, route or method (4xx). */
  REJECTED;

  /** The lowercase name, as written in the access log ({@code ok}, {@code shed}, ...). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
