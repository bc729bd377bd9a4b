package io.bulwark.runtime.internal;

import io.bulwark.core.time.Clock;
import io.bulwark.http.AccessLogEntry;
import io.bulwark.http.ServerListener;
import io.bulwark.runtime.ServiceStats;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one service's instances served, as a {@link ServerListener} on each of their servers (in
 * process) or fed from each child's scrape ({@link #addScraped}, process mode).
 *
 * <p>Recording is lock-free (an HdrHistogram {@link Recorder} and {@link LongAdder}s), so it is
 * safe on event loops. {@link #take()} swaps the interval histogram under the meter's monitor (a
 * few microseconds, never I/O), so two callers split intervals but never corrupt one; a scrape's
 * histogram is added under the same monitor. The request count is the histogram's, so p50/p99 and
 * the count describe the same requests; the refusal and error counts are read in the same call and
 * may be off by a request in flight at the swap.
 */
final class ServiceMeter implements ServerListener {
  private final String service;
  private final Clock clock;
  private final Recorder latencies = new Recorder(3);
  private final LongAdder errors = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder unavailable = new LongAdder();
  private final Histogram scraped = new Histogram(3);
  private Histogram recycled;
  private long intervalStart;

  ServiceMeter(String service, Clock clock) {
    this.service = service;
    this.clock = clock;
    this.recycled = latencies.getIntervalHistogram();
    this.intervalStart = clock.nanoTime();
  }

  @Override
  public void onRequest(AccessLogEntry entry) {
    latencies.recordValue(Math.max(1, entry.durationNanos()));
    count(entry.status());
  }

  /** Counts one answer's status into the error and refusal counters. */
  private void count(int status) {
    if (status >= 500) {
      errors.increment();
    }
    if (status == 429) {
      rateLimited.increment();
    } else if (status == 503) {
      unavailable.increment();
    }
  }

  /**
   * Adds what a child answered since its previous scrape: the latencies of its requests and how
   * many of them were errors, 429s and 503s.
   */
  synchronized void addScraped(Histogram interval, long moreErrors, long more429, long more503) {
    scraped.add(interval);
    errors.add(moreErrors);
    rateLimited.add(more429);
    unavailable.add(more503);
  }

  /** The interval since the previous call (or since creation); callers are serialized. */
  synchronized ServiceStats take() {
    Histogram h = latencies.getIntervalHistogram(recycled);
    h.add(scraped);
    scraped.reset();
    long errorCount = errors.sumThenReset();
    long limited = rateLimited.sumThenReset();
    long refused = unavailable.sumThenReset();
    long now = clock.nanoTime();
    long interval = now - intervalStart;
    intervalStart = now;
    recycled = h;
    long count = h.getTotalCount();
    return new ServiceStats(
        service,
        count,
        Math.min(errorCount, count),
        count == 0 ? 0 : h.getValueAtPercentile(50),
        count == 0 ? 0 : h.getValueAtPercentile(99),
        interval,
        Math.min(limited, count),
        Math.min(refused, count));
  }
}
