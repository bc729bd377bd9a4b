package io.bulwark.telemetry.store;

import io.bulwark.core.telemetry.Outcome;
import io.bulwark.core.time.ScheduledTask;
import io.bulwark.core.time.Scheduler;
import io.bulwark.telemetry.BulwarkTelemetry;
import io.bulwark.telemetry.MetricNames;
import io.bulwark.telemetry.RedSnapshot;
import java.time.Duration;
import java.util.List;

/**
 * Copies the RED aggregates of a {@link BulwarkTelemetry} into a {@link TimeSeriesStore} under the
 * same names and labels the Prometheus endpoint shows ({@code bulwark_endpoint_requests_total},
 * {@code bulwark_endpoint_duration_seconds_bucket}/{@code _count}/{@code _sum}, and the {@code
 * dependency} equivalents), once per store step when started on a {@link Scheduler}.
 */
public final class StoreScraper {
  private final BulwarkTelemetry telemetry;
  private final TimeSeriesStore store;
  private final List<Duration> bounds;

  public StoreScraper(BulwarkTelemetry telemetry, TimeSeriesStore store) {
    this.telemetry = telemetry;
    this.store = store;
    this.bounds = telemetry.config().durationBuckets();
  }

  /** Scrapes now and then every {@code store.resolution()}; cancel the task to stop. */
  public ScheduledTask start(Scheduler scheduler) {
    long step = store.resolution().toNanos();
    scrapeNow();
    return scheduler.scheduleAtFixedRate(step, step, this::scrapeNow);
  }

  /** Writes the current values of every RED series at the store's current step. */
  public void scrapeNow() {
    for (String kind : List.of("endpoint", "dependency")) {
      for (RedSnapshot s : telemetry.redSnapshots(kind)) {
        write(kind, s, "", "");
      }
      for (java.util.Map.Entry<String, RedSnapshot> c : telemetry.cohortSnapshots(kind)) {
        write(kind, c.getValue(), "bulwark_chaos_", c.getKey());
      }
    }
  }

  /**
   * Writes one series; a cohort's ({@code cohort} non-empty) goes to the {@code bulwark_chaos_*}
   * names with the {@code chaos_cohort} label, as the Prometheus endpoint shows it.
   */
  private void write(String kind, RedSnapshot s, String prefix, String cohort) {
    String requests = renamed(MetricNames.requests(kind), prefix);
    for (Outcome o : Outcome.values()) {
      store.record(
          key(requests, cohort, kind, s.name(), "outcome", o.label()), (double) s.count(o));
    }
    String duration = renamed(MetricNames.duration(kind), prefix);
    long cumulative = 0;
    long[] buckets = s.bucketCounts();
    for (int i = 0; i < buckets.length; i++) {
      cumulative += buckets[i];
      String le = i < bounds.size() ? MetricNames.le(bounds.get(i)) : "+Inf";
      store.record(
          key(duration + "_bucket", cohort, kind, s.name(), "le", le), (double) cumulative);
    }
    store.record(key(duration + "_count", cohort, kind, s.name()), (double) cumulative);
    store.record(key(duration + "_sum", cohort, kind, s.name()), s.sumNanos() / 1e9);
  }

  private static String renamed(String metric, String prefix) {
    return prefix.isEmpty() ? metric : prefix + metric.substring("bulwark_".length());
  }

  private static SeriesKey key(String metric, String cohort, String... labels) {
    if (cohort.isEmpty()) {
      return SeriesKey.of(metric, labels);
    }
    String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
    all[labels.length] = io.bulwark.core.fault.ChaosCohort.LABEL;
    all[labels.length + 1] = cohort;
    return SeriesKey.of(metric, all);
  }
}
