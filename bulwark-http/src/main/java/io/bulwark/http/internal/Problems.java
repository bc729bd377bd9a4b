package io.bulwark.http.internal;

import io.bulwark.core.context.Criticality;
import io.bulwark.http.HttpProblem;
import java.time.Duration;

/** The server's own refusals, worded once. */
final class Problems {
  private Problems() {}

  /** 504: the request's deadline passed before or while it ran. */
  static HttpProblem deadline() {
    return HttpProblem.of(504, "deadline_exceeded", "the request's deadline passed");
  }

  /** 503: shed by the server-wide admission (or the inbound pipeline). */
  static HttpProblem overloaded(Criticality criticality, Duration retryAfter) {
    return HttpProblem.unavailable(
        "overloaded",
        "server is overloaded; " + criticality + " request shed",
        retryAfterSeconds(retryAfter));
  }

  /** 503: shed by the admission of the request's route. */
  static HttpProblem routeOverloaded(
      String method, String route, Criticality criticality, Duration retryAfter) {
    return HttpProblem.unavailable(
        "overloaded",
        "route " + method + " " + route + " is overloaded; " + criticality + " request shed",
        retryAfterSeconds(retryAfter));
  }

  /** 503: the server drains for shutdown. */
  static HttpProblem shuttingDown() {
    return HttpProblem.unavailable("shutting_down", "server is shutting down", 1);
  }

  private static long retryAfterSeconds(Duration retryAfter) {
    return Math.max(1, retryAfter.toSeconds());
  }
}
