package io.bulwark.runtime.internal;

import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.ServerListener;
import java.util.concurrent.atomic.LongAdder;

/**
 * One instance's cumulative counters across its incarnations: requests, bad answers (5xx), refusals
 * (429 and 503 apart) and the latency sum. In process mode they are fed from the child's scrape
 * ({@link #addScraped}, which also feeds the service's meter); in process they count every answer
 * of the instance's server. Lock-free.
 */
final class InstanceMeter implements ServerListener {
  private final ServiceMeter service;
  private final LongAdder requests = new LongAdder();
  private final LongAdder bad = new LongAdder();
  private final LongAdder durationNanos = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder unavailable = new LongAdder();

  InstanceMeter(ServiceMeter service) {
    this.service = service;
  }

  @Override
  public void onRequest(AccessLogEntry entry) {
    service.onRequest(entry);
    requests.increment();
    int status = entry.status();
    if (status >= 500) {
      bad.increment();
    }
    if (status == 429) {
      rateLimited.increment();
    } else if (status == 503) {
      unavailable.increment();
    }
    durationNanos.add(Math.max(0, entry.durationNanos()));
  }

  /** Adds what a child answered since the previous scrape, here and to the service's meter. */
  void addScraped(ChildReport.Delta d) {
    requests.add(d.requests());
    bad.add(d.errors());
    durationNanos.add(d.durationNanos());
    rateLimited.add(d.rateLimited());
    unavailable.add(d.unavailable());
    service.addScraped(d.latencies(), d.errors(), d.rateLimited(), d.unavailable());
  }

  Counts counts() {
    return new Counts(requests.sum(), bad.sum(), durationNanos.sum());
  }

  /** 429 answers so far. */
  long rateLimited() {
    return rateLimited.sum();
  }

  /** 503 answers so far. */
  long unavailable() {
    return unavailable.sum();
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
