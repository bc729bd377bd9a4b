package io.bulwark.http.archfixture;

import io.bulwark.core.telemetry.Telemetry;
import io.bulwark.telemetry.BulwarkTelemetry;

/**
 * Fixture: an HTTP class that uses bulwark-telemetry's implementation instead of the recording API
 * (which it may use); the layering rule must report the former and only it.
 */
public final class HttpReachingTelemetryImpl {
  private HttpReachingTelemetryImpl() {}

  public static Telemetry allowed() {
    return Telemetry.noop();
  }

  public static String forbidden(BulwarkTelemetry telemetry) {
    return telemetry.scrapePrometheus();
  }
}
