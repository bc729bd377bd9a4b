package io.bulwark.runtime.internal;

import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.ServerListener;
import java.util.concurrent.atomic.LongAdder;

/**
 * One instance's cumulative counters across its incarnations: requests, bad answers (5xx) and the
 * latency sum. In process mode they are fed from the child's scraped {@code /metrics} ({@link
 * #add}); in process they count every answer of the instance's server. Lock-free.
 */
final class InstanceMeter implements ServerListener {
  private final ServiceMeter service;
  private final LongAdder requests = new LongAdder();
  private final LongAdder bad = new LongAdder();
  private final LongAdder durationNanos = new LongAdder();

  InstanceMeter(ServiceMeter service) {
    this.service = service;
  }

  @Override
  public void onRequest(AccessLogEntry entry) {
    service.onRequest(entry);
    requests.increment();
    if (entry.status() >= 500) {
      bad.increment();
    }
    durationNanos.add(Math.max(0, entry.durationNanos()));
  }

  /** Adds what a child answered since the previous scrape. */
  void add(long moreRequests, long moreBad, long moreNanos) {
    requests.add(moreRequests);
    bad.add(moreBad);
    durationNanos.add(moreNanos);
  }

  Counts counts() {
    return new Counts(requests.sum(), bad.sum(), durationNanos.sum());
  }

  /** Cumulative counts at one moment. */
  record Counts(long requests, long bad, long durationNanos) {
    static final Counts ZERO = new Counts(0, 0, 0);

    Counts minus(Counts earlier) {
      return new Counts(
          requests - earlier.requests, bad - earlier.bad, durationNanos - earlier.durationNanos);
    }

    Counts plus(Counts other) {
      return new Counts(
          requests + other.requests, bad + other.bad, durationNanos + other.durationNanos);
    }
  }
}
