package io.bulwark.examples.shop.load;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts outcomes from many request threads at once: a {@link Recorder} per interval (taken by one
 * sampler) and a concurrent total histogram per kind. Latencies are in microseconds, clamped to
 * {@value #HIGHEST_MICROS}.
 */
final class LoadRecorder {
  static final long HIGHEST_MICROS = 120_000_000L;
  private static final int DIGITS = 3;

  private final Recorder interval = new Recorder(HIGHEST_MICROS, DIGITS);
  private final Map<RequestKind, ConcurrentHistogram> totals = new EnumMap<>(RequestKind.class);
  private final Map<RequestKind, LongAdder> kindErrors = new EnumMap<>(RequestKind.class);
  private final LongAdder intervalErrors = new LongAdder();
  private final LongAdder intervalDegraded = new LongAdder();
  private final LongAdder intervalCompleted = new LongAdder();
  private final LongAdder intervalFailed = new LongAdder();
  private final LongAdder webPages = new LongAdder();
  private final LongAdder mobilePages = new LongAdder();
  private final LongAdder partialPages = new LongAdder();
  private final Map<String, LongAdder> checkouts = new LinkedHashMap<>();
  private final Map<String, LongAdder> errorCauses = new ConcurrentHashMap<>();
  private final List<LoadInterval> timeline = new CopyOnWriteArrayList<>();
  private Histogram spare = interval.getIntervalHistogram();

  LoadRecorder() {
    for (RequestKind kind : RequestKind.values()) {
      totals.put(kind, new ConcurrentHistogram(HIGHEST_MICROS, DIGITS));
      kindErrors.put(kind, new LongAdder());
    }
    for (String outcome :
        List.of("completed", "rejected", "failed", "doubleSubmits", "duplicateOrders")) {
      checkouts.put(outcome, new LongAdder());
    }
  }

  void record(RequestKind kind, long latencyNanos, boolean error) {
    long micros = Math.min(HIGHEST_MICROS, Math.max(1, latencyNanos / 1000));
    if (error) {
      Objects.requireNonNull(kindErrors.get(kind)).increment();
      intervalErrors.increment();
    }
    Objects.requireNonNull(totals.get(kind)).recordValue(micros);
    interval.recordValue(micros);
  }

  /** One more error of {@code cause} (a short text: kind, status and error code). */
  void errorCause(String cause) {
    errorCauses.computeIfAbsent(cause, c -> new LongAdder()).increment();
  }

  void degradedPage() {
    intervalDegraded.increment();
  }

  /** One more BFF page answered; {@code web} false for the mobile BFF's. */
  void page(boolean web, boolean partial) {
    (web ? webPages : mobilePages).increment();
    if (partial) {
      partialPages.increment();
    }
  }

  void checkout(String outcome) {
    Objects.requireNonNull(checkouts.get(outcome), outcome).increment();
    if (outcome.equals("completed")) {
      intervalCompleted.increment();
    } else if (outcome.equals("failed")) {
      intervalFailed.increment();
    }
  }

  /** Closes the current interval as second {@code second}; called by one sampler only. */
  LoadInterval takeInterval(int second) {
    spare = interval.getIntervalHistogram(spare);
    LoadInterval taken =
        new LoadInterval(
            second,
            spare.getTotalCount(),
            intervalErrors.sumThenReset(),
            spare.getTotalCount() == 0 ? 0 : spare.getValueAtPercentile(50),
            spare.getTotalCount() == 0 ? 0 : spare.getValueAtPercentile(99),
            intervalDegraded.sumThenReset(),
            intervalCompleted.sumThenReset(),
            intervalFailed.sumThenReset());
    timeline.add(taken);
    return taken;
  }

  LoadReport report(LoadOptions options, long scheduled) {
    Histogram all = new Histogram(HIGHEST_MICROS, DIGITS);
    long errors = 0;
    Map<RequestKind, KindSummary> kinds = new EnumMap<>(RequestKind.class);
    for (RequestKind kind : RequestKind.values()) {
      Histogram h = Objects.requireNonNull(totals.get(kind)).copy();
      long e = Objects.requireNonNull(kindErrors.get(kind)).sum();
      all.add(h);
      errors += e;
      kinds.put(kind, summary(kind, h, e));
    }
    Map<String, Long> outcomes = new LinkedHashMap<>();
    checkouts.forEach((name, adder) -> outcomes.put(name, adder.sum()));
    Map<String, Long> causes = new LinkedHashMap<>();
    errorCauses.entrySet().stream()
        .sorted(
            Map.Entry.<String, LongAdder>comparingByValue(
                    java.util.Comparator.comparingLong(LongAdder::sum))
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> causes.put(e.getKey(), e.getValue().sum()));
    PageCounts pages = new PageCounts(webPages.sum(), mobilePages.sum(), partialPages.sum());
    return new LoadReport(
        options, scheduled, all, errors, kinds, outcomes, causes, pages, timeline);
  }

  private static KindSummary summary(RequestKind kind, Histogram h, long errors) {
    if (h.getTotalCount() == 0) {
      return new KindSummary(kind, 0, errors, 0, 0, 0);
    }
    return new KindSummary(
        kind,
        h.getTotalCount(),
        errors,
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(99),
        h.getMaxValue());
  }
}
