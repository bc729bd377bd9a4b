package io.bulwark.examples.shop.load;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What the users saw over a whole run: totals, latency of every request from its intended start,
 * per kind figures, checkouts, and the per-second timeline.
 */
public final class LoadReport {
  private final LoadOptions options;
  private final long scheduled;
  private final Histogram latency;
  private final long errors;
  private final Map<RequestKind, KindSummary> kinds;
  private final Map<String, Long> checkouts;
  private final Map<String, Long> errorCauses;
  private final PageCounts pages;
  private final List<LoadInterval> timeline;

  LoadReport(
      LoadOptions options,
      long scheduled,
      Histogram latency,
      long errors,
      Map<RequestKind, KindSummary> kinds,
      Map<String, Long> checkouts,
      Map<String, Long> errorCauses,
      PageCounts pages,
      List<LoadInterval> timeline) {
    this.options = options;
    this.scheduled = scheduled;
    this.latency = latency;
    this.errors = errors;
    this.kinds = Map.copyOf(kinds);
    this.checkouts = Map.copyOf(checkouts);
    this.errorCauses = Collections.unmodifiableMap(new LinkedHashMap<>(errorCauses));
    this.pages = pages;
    this.timeline = List.copyOf(timeline);
  }

  public LoadOptions options() {
    return options;
  }

  /** Requests the schedule started (a double-click's second submit not included). */
  public long scheduled() {
    return scheduled;
  }

  /** Requests that completed, with an answer or an error. */
  public long requests() {
    return latency.getTotalCount();
  }

  public long errors() {
    return errors;
  }

  /** errors / requests, 0 with no request. */
  public double errorRate() {
    return requests() == 0 ? 0 : (double) errors / requests();
  }

  /** Latency percentile (0–100) of every request, from its intended start. */
  public Duration latencyPercentile(double percentile) {
    return Duration.ofNanos(latency.getValueAtPercentile(percentile) * 1000);
  }

  /** Requests that completed within {@code threshold} of their intended start. */
  public long requestsWithin(Duration threshold) {
    long micros = threshold.toNanos() / 1000;
    long within = 0;
    for (HistogramIterationValue value : latency.recordedValues()) {
      if (value.getValueIteratedTo() <= micros) {
        within += value.getCountAtValueIteratedTo();
      }
    }
    return within;
  }

  /** The figures of {@code kind} (zeros when none ran). */
  public KindSummary kind(RequestKind kind) {
    KindSummary summary = kinds.get(kind);
    return summary != null ? summary : new KindSummary(kind, 0, 0, 0, 0, 0);
  }

  /**
   * Checkout outcomes: {@code completed} (an order confirmed), {@code rejected} (409, a business
   * answer), {@code failed}, {@code doubleSubmits} (sessions submitted twice) and {@code
   * duplicateOrders} (double-clicks that got two different confirmed orders: must be 0).
   */
  public long checkouts(String outcome) {
    Long value = checkouts.get(outcome);
    if (value == null) {
      throw new IllegalArgumentException(
          "no checkout outcome \"" + outcome + "\"; known: " + checkouts.keySet());
    }
    return value;
  }

  /**
   * Errors by cause, most frequent first: {@code "<kind>: <status> <error code>"} from the answer's
   * JSON problem (for a failed checkout also its reason), or {@code "<kind>: no answer (...)"} for
   * a timeout or a refused connection.
   */
  public Map<String, Long> errorCauses() {
    return errorCauses;
  }

  /** The BFF pages answered (home and product pages), by BFF, and the partial ones. */
  public PageCounts pages() {
    return pages;
  }

  /** Product pages answered with popular items instead of personal recommendations. */
  public long degradedPages() {
    return timeline.stream().mapToLong(LoadInterval::degradedPages).sum();
  }

  /** The per-second timeline. */
  public List<LoadInterval> timeline() {
    return timeline;
  }
}
