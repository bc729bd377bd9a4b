package io.bulwark.http.internal;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.telemetry.RedRecorder;
import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.ServerListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps every answered request to bulwark-telemetry's RED metrics of its route ({@code endpoint}
 * named {@code METHOD template}): 2xx-4xx are successes (a client's mistake spends no error budget
 * of the server), 5xx errors, 504 on a passed deadline a timeout, shed requests rejections.
 * Requests that matched no route are not recorded (unbounded names). Recording is lock-free, and
 * finding a route's recorder allocates nothing once the route has been seen (two map lookups by the
 * entry's route and method, no name built per request).
 */
public final class RedListener implements ServerListener {
  private final Telemetry telemetry;

  /** Recorders by route template, then by method. */
  private final Map<String, Map<String, RedRecorder>> recorders = new ConcurrentHashMap<>();

  public RedListener(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  @Override
  public void onRequest(AccessLogEntry e) {
    if (e.route().equals("-")) {
      return;
    }
    String cohort = e.chaosCohort();
    if (cohort == null) {
      recorder(e.method(), e.route()).record(outcome(e), e.durationNanos());
    } else {
      recorder(e.method(), e.route()).record(outcome(e), e.durationNanos(), cohort);
    }
  }

  private RedRecorder recorder(String method, String route) {
    Map<String, RedRecorder> byMethod = recorders.get(route);
    if (byMethod == null) {
      byMethod = recorders.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
    }
    RedRecorder red = byMethod.get(method);
    if (red == null) {
      red = byMethod.computeIfAbsent(method, m -> telemetry.endpoint(m + " " + route));
    }
    return red;
  }

  static Outcome outcome(AccessLogEntry e) {
    return switch (e.outcome()) {
      case SHED -> Outcome.REJECTED;
      case DEADLINE -> Outcome.TIMEOUT;
      case OK, ERROR, REJECTED -> e.status() >= 500 ? Outcome.ERROR : Outcome.SUCCESS;
    };
  }
}
