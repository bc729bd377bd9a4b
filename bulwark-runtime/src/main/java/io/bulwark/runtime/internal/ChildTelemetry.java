package io.bulwark.runtime.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.Request;
import io.bulwark.http.Response;
import io.bulwark.http.ServerListener;
import io.bulwark.resilience.ResilienceListener;
import io.bulwark.runtime.BreakerView;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.RedSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Inside a process-mode child: what the parent's scrape of {@link ChildReport#PATH} reads. A {@link
 * ServerListener} on the child's server (every answer but the scrape's own), the resilience
 * listener the instance's factory gets (its breakers' transitions, with reasons) and the child's
 * telemetry (RED per route and dependency). Lock-free; each report takes the latencies recorded
 * since the previous one (the parent is the one scraper).
 */
final class ChildTelemetry implements ServerListener {
  private final Clock clock;
  private final BulwarkTelemetry telemetry;
  private final BreakerBoard board = new BreakerBoard();
  private final BreakerBoard.Source breakers;
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder unavailable = new LongAdder();
  private final LongAdder durationNanos = new LongAdder();
  private final Recorder latencies = new Recorder(3);

  ChildTelemetry(String instanceId, Clock clock, BulwarkTelemetry telemetry) {
    this.clock = clock;
    this.telemetry = telemetry;
    this.breakers = board.listenerFor(instanceId);
  }

  /** What the instance's clients and policies report breaker transitions to. */
  ResilienceListener resilienceListener() {
    return breakers;
  }

  @Override
  public void onRequest(AccessLogEntry entry) {
    if (entry.path().equals(ChildReport.PATH)) {
      return; // the parent's scrape is not the service's traffic
    }
    latencies.recordValue(Math.max(1, entry.durationNanos()));
    requests.increment();
    durationNanos.add(Math.max(0, entry.durationNanos()));
    int status = entry.status();
    if (status >= 500) {
      errors.increment();
    }
    if (status == 429) {
      rateLimited.increment();
    } else if (status == 503) {
      unavailable.increment();
    }
  }

  /** The scrape route's handler. */
  Response handle(Request request) {
    return Response.bytes(200, "application/json", report().toJson());
  }

  /** The report of now; takes the latencies recorded since the previous report. */
  ChildReport report() {
    Histogram interval = latencies.getIntervalHistogram();
    long now = clock.nanoTime();
    List<ChildReport.Breaker> views = new ArrayList<>();
    for (BreakerView v : board.snapshot()) {
      views.add(
          new ChildReport.Breaker(
              v.breaker(), v.state(), v.reason(), v.transitions(), Math.max(0, now - v.atNanos())));
    }
    return new ChildReport(
        requests.sum(),
        errors.sum(),
        rateLimited.sum(),
        unavailable.sum(),
        durationNanos.sum(),
        interval,
        List.copyOf(views),
        withoutScrape(telemetry.redSnapshots("endpoint")),
        telemetry.redSnapshots("dependency"));
  }

  private static List<RedSnapshot> withoutScrape(List<RedSnapshot> endpoints) {
    return endpoints.stream().filter(r -> !r.name().endsWith(" " + ChildReport.PATH)).toList();
  }
}
