package io.bulwark.http.internal;

import io.bulwark.core.context.Criticality;
import io.bulwark.http.HttpProblem;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

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

  /** 403: the caller presented no certificate naming a workload. */
  static HttpProblem peerUnidentified() {
    return HttpProblem.of(
        403,
        "peer_unidentified",
        "the client certificate names no workload (one spiffe:// URI name is required)");
  }

  /** 403: no authorization rule lets the caller call this route. */
  static HttpProblem peerNotAllowed(
      io.bulwark.core.identity.WorkloadIdentity peer, String method, @Nullable String route) {
    return HttpProblem.of(
        403,
        "peer_not_allowed",
        route == null
            ? peer + " may not call this server"
            : peer + " may not call " + method + " " + route);
  }

  /** 503: the server drains for shutdown. */
  static HttpProblem shuttingDown() {
    return HttpProblem.unavailable("shutting_down", "server is shutting down", 1);
  }

  private static long retryAfterSeconds(Duration retryAfter) {
    return Math.max(1, retryAfter.toSeconds());
  }
}
