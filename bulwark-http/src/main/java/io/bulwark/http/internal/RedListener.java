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
 * Requests that matched no route are not recorded (unbounded names). Recording is lock-free.
 */
public final class RedListener implements ServerListener {
  private final Telemetry telemetry;
  private final Map<String, RedRecorder> recorders = new ConcurrentHashMap<>();

  public RedListener(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  @Override
  public void onRequest(AccessLogEntry e) {
    if (e.route().equals("-")) {
      return;
    }
    RedRecorder red = recorders.computeIfAbsent(e.method() + " " + e.route(), telemetry::endpoint);
    red.record(outcome(e), e.durationNanos());
  }

  static Outcome outcome(AccessLogEntry e) {
    return switch (e.outcome()) {
      case SHED -> Outcome.REJECTED;
      case DEADLINE -> Outcome.TIMEOUT;
      case OK, ERROR, REJECTED -> e.status() >= 500 ? Outcome.ERROR : Outcome.SUCCESS;
    };
  }
}
